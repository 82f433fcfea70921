import type { FastifyServerOptions } from 'fastify';

/**
 * Personal data never reaches the log: credentials, cookies and any body field that could hold
 * someone's words or identity are redacted; URLs are logged without their query string.
 */
export function loggerOptions(
  level: string,
  stream?: { write(msg: string): void },
): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.email',
        '*.phone',
        '*.name',
        '*.displayName',
        '*.message',
        '*.body',
        '*.token',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request) {
        return { id: request.id, method: request.method, url: String(request.url).split('?')[0] };
      },
    },
  };
}
