/**
 * The intent classifier's public API for the gateway.
 *
 * @example
 * const classifier = await loadIntentClassifier("classifiers/default");
 * const prediction = await classifier.classify(selectClassifierText(request.messages));
 * if (prediction.unsure) escalate();
 */
export { loadIntentClassifier } from "./load.js";
export type { IntentClassifier, IntentPrediction, IntentScore, LoadClassifierOptions } from "./runtime/intent-classifier.js";
export { LoadClassifierOptionsSchema } from "./runtime/intent-classifier.js";
export { selectClassifierText, ClassifierTextOptionsSchema, type ClassifierTextOptions } from "./select-text.js";
export {
  IntentsFileSchema,
  IntentDefinitionSchema,
  IntentRouteSchema,
  IntentNameSchema,
  loadIntentsFile,
  parseIntentsYaml,
  type IntentsFile,
  type IntentDefinition,
  type IntentRoute,
} from "./intents.js";
export {
  ModelMetadataSchema,
  NgramMetadataSchema,
  EncoderHeadMetadataSchema,
  CalibrationSchema,
  TrainingReportSchema,
  METADATA_FILE,
  type ModelMetadata,
  type Calibration,
  type TrainingReport,
} from "./model-metadata.js";
export { LabelledExampleSchema, type LabelledExample, readLabelledExamples, trainingDataHash } from "./data/training-data.js";
export { ClassifierDataError, ClassifierModelError } from "./errors.js";
export { DEFAULT_MODEL_DIR, DEFAULT_INTENTS_FILE } from "./defaults.js";
