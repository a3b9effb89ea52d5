/**
 * Strict checks of what a client uploads, made against the job and the base model rather than against other
 * uploads: {@link dev.fedexlora.core.validate.UploadValidator} accepts an adapter only when every field aggregation
 * reads matches the job ({@link dev.fedexlora.core.validate.UploadExpectations}) and every tensor fits its base layer
 * ({@link dev.fedexlora.core.validate.BaseLayers}); sizes are bounded before anything is read, nothing uploaded is
 * compiled or used as a path, and {@link dev.fedexlora.core.validate.ResultChecks} keeps a non-finite aggregate from
 * becoming a version. A refusal is a {@link dev.fedexlora.core.validate.RejectedUploadException} naming the file and
 * the field.
 */
package dev.fedexlora.core.validate;
