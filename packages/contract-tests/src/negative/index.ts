/** Negative case generation from the spec's constraints. */
export {
  type BodyCaseOptions,
  generateBodyCases,
  InvalidBaseError,
  type NegativeBodyCase,
} from './body-cases.js';
export { crossFieldCases } from './cross-field.js';
export { type FieldMutation, fieldMutations, type NegativeKind } from './field-mutations.js';
export { generateParameterCases, type NegativeParameterCase } from './parameter-cases.js';
export { sampleValue } from './samples.js';
