// Name rules for CRDs and custom objects. The rules themselves (k8s.io/apimachinery/pkg/util/validation,
// with upstream's messages) are the shared ones in src/api/validation/names.ts.

export {
  isDNS1035Label as isDns1035Label,
  isDNS1123Label as isDns1123Label,
  isDNS1123Subdomain as isDns1123Subdomain,
  isValidPathSegmentName,
  maxLenError,
  regexError,
} from '../../api/validation/names.ts';

/** parseGroupVersionError returns upstream's ParseGroupVersion error for an apiVersion, or undefined when it parses. */
export function parseGroupVersionError(apiVersion: string): string | undefined {
  if (apiVersion === '' || apiVersion === '/') return undefined;
  const slashes = apiVersion.split('/').length - 1;
  return slashes > 1 ? `unexpected GroupVersion string: ${apiVersion}` : undefined;
}
