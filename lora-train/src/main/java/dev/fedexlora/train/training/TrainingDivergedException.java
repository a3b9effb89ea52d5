package dev.fedexlora.train.training;

/** The loss became NaN or infinite; the run's adapter is unusable. */
public final class TrainingDivergedException extends RuntimeException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}
