// Shared validation building blocks: field errors, names, quantities, object metadata and label selectors.
export {
  childPath, indexPath, keyPath, required, invalidValue, notSupported, forbidden, duplicate, notFound, tooLong, tooMany,
  internalError, invalidEach, immutableMessage, negativeMessage,
} from './field.ts';
export {
  byteLength, maxLenError, emptyError, inclusiveRangeError, regexError, DNS1123LabelMaxLength, DNS1123SubdomainMaxLength,
  isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isWildcardDNS1123Subdomain, isQualifiedName, isValidLabelValue,
  isCIdentifier, isEnvVarName, isRelaxedEnvVarName, isConfigMapKey, isValidPortNum, isInRange, isValidUserID,
  isValidGroupID, isValidPortName, isValidPercent, isHTTPHeaderName, isValidPathSegmentName, isValidPathSegmentPrefix,
  isDomainPrefixedPath,
} from './names.ts';
export { type IPFamily, type ParsedCIDR, ipFamilyOf, isIP, validateIP, parseCIDR, validateCIDR, cidrContains, isDualStack, ipv6Groups } from './network.ts';
export {
  type Quantity, type QuantityFormat, type QuantityResult, quantityFormatError, parseQuantity, mustParseQuantity,
  newQuantity, newMilliQuantity, formatQuantity, canonicalQuantity, compareQuantity, addQuantity, subQuantity,
  scaledValue, value, milliValue, roundUpToMilli,
} from './quantity.ts';
export {
  type NameValidator, type ObjectMetaOptions, nameIsDNSSubdomain, nameIsDNSLabel, nameIsDNS1035Label,
  validateNamespaceName, TotalAnnotationSizeLimit, validateNonnegativeField, validateImmutableField,
  validateAnnotations, validateOwnerReferences, validateFinalizers, validateKubeFinalizerNames, validateObjectMeta,
  validateObjectMetaUpdate, validateTemplateObjectMeta, validateQualifiedName,
} from './meta.ts';
export {
  type SelectorMatcher, validateLabelName, validateLabels, validateLabelSelector, labelSelectorAsMatcher,
  selectorMatches, isSelectorEmpty,
} from './label-selector.ts';
export { semanticEqual, changedKeys } from './equality.ts';
export { validatePositiveIntOrPercent, intOrPercentValue, isNotMoreThan100Percent } from './int-or-percent.ts';
export {
  type ApiObject, type Defaulter, type KindValidator, type GroupRegistry, typedDefaulter, typedValidator,
  metadataOnlyValidator,
} from './registry.ts';
