/**
 * Leasing and running tasks: the pull loop, the task runner (global state in, adapter out, through presigned URLs
 * only) and the content-addressed cache of base checkpoints.
 */
package dev.fedexlora.worker.task;
