package dev.fedexlora.core.protocol;

/**
 * What a job fine-tunes its base model for. The same enum on every side: the job request, the task lease a worker
 * trains from. {@code SEQUENCE_CLASSIFICATION} needs an encoder base (BERT/RoBERTa family) and trains a
 * classification head; {@code CAUSAL_LM} needs a decoder base (Llama, Mistral, Qwen2) and trains on prompt/response
 * or text data.
 */
public enum Task {
    SEQUENCE_CLASSIFICATION, CAUSAL_LM;

    /** Null (a request or lease written before tasks existed) is classification. */
    public static Task orDefault(Task task) {
        return task == null ? SEQUENCE_CLASSIFICATION : task;
    }
}
