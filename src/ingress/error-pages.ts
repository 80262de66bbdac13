// The bodies the ingress answers with itself, in nginx's error-page shape (ingress-nginx serves the same pages).

const reasons: Record<number, string> = {
  308: 'Permanent Redirect',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Not Allowed',
  414: 'Request-URI Too Large',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
  505: 'HTTP Version Not Supported',
};

const pages = new Map(Object.entries(reasons).map(([code, text]) => [Number(code), `<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n<hr><center>berth</center>\r\n</body>\r\n</html>\r\n`]));

/** statusReason is the reason phrase the ingress writes for its own answers (nginx's wording). */
export function statusReason(status: number): string {
  return reasons[status] ?? '';
}

/** errorPage is the HTML body of an answer the ingress makes itself ('' for codes without a page). */
export function errorPage(status: number): string {
  return pages.get(status) ?? '';
}

/** closingResponse is a whole answer that ends the connection (malformed requests, refused upgrades). */
export function closingResponse(status: number, date: string): string {
  const body = errorPage(status);
  return `HTTP/1.1 ${status} ${statusReason(status)}\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\ndate: ${date}\r\nconnection: close\r\n\r\n${body}`;
}
