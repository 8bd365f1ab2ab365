/**
 * The CloudFront Function (viewer request, `cloudfront-js-2.0`) that serves
 * the single-page app's deep links: a request for a path whose last segment
 * has no file extension (`/orders/42`, `/settings/`) is answered with
 * `/index.html`, so the React router takes over; files (`/static/app.js`,
 * `/favicon.ico`) pass unchanged.
 *
 * It is attached to the S3 behaviour only: the API's responses (its 403s
 * and 404s included) never pass through it, unlike distribution-wide custom
 * error responses, which would rewrite them too.
 */
export const SPA_REWRITE_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var lastSegment = uri.substring(uri.lastIndexOf('/') + 1);
  if (lastSegment.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`;
