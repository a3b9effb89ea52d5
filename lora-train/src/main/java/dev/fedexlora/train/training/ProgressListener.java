package dev.fedexlora.train.training;

/** Told after every optimizer step; a listener that throws stops the training (e.g. a lost lease). */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (step, total, loss, lr) -> { };

    void onStep(int step, int total, double loss, double learningRate);
}
