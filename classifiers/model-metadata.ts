/**
 * `switchyard.json`, the metadata Switchyard keeps beside a model folder's Hugging Face files:
 * which kind of classifier it is, its calibration, the hash of its training data and the training
 * report. A folder without it is a plain Hugging Face text-classification model used as is.
 */
import { z } from "zod";
import { NgramFeatureSpecSchema } from "./ngram/features.js";
import { BagTrainingOptionsSchema } from "./training/train-bag-model.js";

export const METADATA_FILE = "switchyard.json";

export const CalibrationSchema = z.strictObject({
  /** Softmax temperature fitted on the held-out split. */
  temperature: z.number().positive(),
  /** Predictions with calibrated confidence below this are `unsure`. */
  unsureThreshold: z.number().min(0).max(1),
  /** The precision the threshold was chosen for on held-out data. */
  targetPrecision: z.number().min(0).max(1),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

export const TrainingReportSchema = z.strictObject({
  examples: z.int(),
  labels: z.int(),
  trainExamples: z.int(),
  heldOutExamples: z.int(),
  heldOutAccuracy: z.number().nullable(),
  /** Share of held-out queries flagged unsure at the chosen threshold. */
  heldOutEscalationRate: z.number().nullable(),
  /** Accuracy on the held-out queries that were not flagged unsure. */
  heldOutConfidentPrecision: z.number().nullable(),
  temperature: z.number(),
  unsureThreshold: z.number(),
  /**
   * The in-scope rule's threshold and coverage weight when the model has one (format-2 n-gram models);
   * the held-out escalation rate and precision above are then that rule's.
   */
  inScopeThreshold: z.number().optional(),
  coverageWeight: z.number().optional(),
  /** Weight of the nearest-centroid head folded into the output layer (n-gram models only; 0 = none). */
  prototypeWeight: z.number().min(0).optional(),
  trainingSeconds: z.number(),
  modelBytes: z.int(),
});
export type TrainingReport = z.infer<typeof TrainingReportSchema>;

const common = {
  format: z.literal(1),
  labels: z.array(z.string().min(1)).min(2),
  calibration: CalibrationSchema,
  trainingDataHash: z.string(),
  report: TrainingReportSchema,
};

/**
 * When `unsure` uses word coverage too: a prediction is unsure when
 * `ln confidence + coverageWeight × coverage < threshold`, where coverage is the share of the query's
 * words found in `words[intent]` (ngram/word-coverage.ts). The threshold is chosen on the held-out
 * split for the target precision, as `unsureThreshold` is for confidence alone.
 */
export const InScopeRuleSchema = z.strictObject({
  coverageWeight: z.number().min(0),
  threshold: z.number(),
  /** Per label (same order as `labels`): the distinct words of its training examples, sorted, space-separated. */
  words: z.array(z.string().regex(/^[^ ]*( [^ ]+)*$/, "space-separated words")),
});
export type InScopeRule = z.infer<typeof InScopeRuleSchema>;

export const NgramMetadataSchema = z
  .strictObject({
    ...common,
    /** 1: `unsure` on calibrated confidence alone; 2: on the in-scope rule (`inScope`). */
    format: z.union([z.literal(1), z.literal(2)]),
    kind: z.literal("ngram"),
    features: NgramFeatureSpecSchema,
    training: BagTrainingOptionsSchema,
    /** The ensemble's members, by the feature groups each reads (their logits are averaged). */
    members: z.array(BagTrainingOptionsSchema.shape.featureGroups.unwrap()).min(1),
    inScope: InScopeRuleSchema.optional(),
  })
  .superRefine((metadata, ctx) => {
    if ((metadata.format === 2) !== (metadata.inScope !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["inScope"], message: "is required by format 2 and only allowed there" });
    } else if (metadata.inScope && metadata.inScope.words.length !== metadata.labels.length) {
      ctx.addIssue({ code: "custom", path: ["inScope", "words"], message: `must have one entry per label (${metadata.labels.length})` });
    }
  });

export const EncoderHeadMetadataSchema = z.strictObject({
  ...common,
  kind: z.literal("encoder-head"),
  /** The encoder: a folder (relative to this one, or absolute) or a Hugging Face Hub model id. */
  encoder: z.string().min(1),
  pooling: z.enum(["mean", "cls"]),
  normalize: z.boolean(),
  /** Head weights in `head.bin`: float32 [labels, dims] then float32 [labels] biases. */
  dims: z.int().min(1),
});

export const ModelMetadataSchema = z.discriminatedUnion("kind", [NgramMetadataSchema, EncoderHeadMetadataSchema]);
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;
export type NgramMetadata = z.infer<typeof NgramMetadataSchema>;
export type EncoderHeadMetadata = z.infer<typeof EncoderHeadMetadataSchema>;
