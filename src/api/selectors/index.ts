// Label and field selectors: upstream's selector syntax, validation, messages and per-kind field sets.
export type { LabelOperator, Labels, Requirement, LabelSelector } from './labels.ts';
export { everything, nothing, selectorFromSet, fromLabelSelector, formatLabelSelector, formatLabels, newLabelSelector, requirementString } from './labels.ts';
export { parseLabelSelector, parseLabelRequirements } from './label-parser.ts';
export type { Fields, FieldTerm, FieldSelector, FieldTransform } from './fields.ts';
export { parseFieldSelector, newFieldSelector, fieldSelectorFromSet, everythingFieldSelector, escapeFieldValue, unescapeFieldValue } from './fields.ts';
export type { CustomResourceFieldScope } from './field-labels.ts';
export { checkFieldSelector, checkCustomResourceFieldSelector, convertFieldLabel, supportedFieldLabels } from './field-labels.ts';
export { fieldsForObject, fieldMatcher, fieldsForCustomResource } from './object-fields.ts';
