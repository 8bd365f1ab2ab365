/**
 * The request header through which the API's web ACL learns the client's
 * address. CloudFront's `X-Forwarded-For` starts with whatever the client
 * wrote there, so a rate limit keyed on it could be dodged, or aimed at
 * someone else's address; this header is always overwritten at the edge.
 */
export const VIEWER_IP_HEADER = 'X-Viewer-Ip';

/**
 * The CloudFront Function (viewer request, `cloudfront-js-2.0`) of the API
 * behaviour: it sets `VIEWER_IP_HEADER` to the address CloudFront received
 * the request from, replacing any value the client sent.
 */
export const VIEWER_IP_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  request.headers['${VIEWER_IP_HEADER.toLowerCase()}'] = { value: event.viewer.ip };
  return request;
}
`;
