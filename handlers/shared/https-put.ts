import * as https from 'https';

/**
 * PUTs a body to an S3 pre-signed URL the way CloudFormation expects
 * (empty content type, explicit content length).
 */
export function httpsPut(url: string, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    }, (response) => {
      response.resume();
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve();
        } else {
          reject(new Error(`response URL answered HTTP ${status}`));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`response URL did not answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
