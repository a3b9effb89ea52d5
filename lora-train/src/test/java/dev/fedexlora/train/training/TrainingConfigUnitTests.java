package dev.fedexlora.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TrainingConfigUnitTests {

    @Test
    void learningRateWarmsUpLinearlyThenDecaysLinearlyToZero() {
        TrainingConfig c = new TrainingConfig(1e-3, 8, 100, 0, 0.1, 0, 1, 64, 1);
        assertThat(c.learningRate(0, 100)).isZero();
        assertThat(c.learningRate(5, 100)).isCloseTo(5e-4, within(1e-12));
        assertThat(c.learningRate(10, 100)).isCloseTo(1e-3, within(1e-12));
        assertThat(c.learningRate(55, 100)).isCloseTo(5e-4, within(1e-12));
        assertThat(c.learningRate(99, 100)).isCloseTo(1e-3 / 90, within(1e-12));
    }

    @Test
    void stepsComeFromLocalStepsOrFromEpochs() {
        assertThat(TrainingConfig.steps(1e-3, 8, 7, 1).totalSteps(1000)).isEqualTo(7);
        assertThat(TrainingConfig.steps(1e-3, 8, 7, 1).withEpochs(2).totalSteps(17)).isEqualTo(6);
        assertThatThrownBy(() -> new TrainingConfig(1e-3, 8, 0, 0, 0, 0, 1, 64, 1))
                .hasMessageContaining("localSteps");
        assertThatThrownBy(() -> new TrainingConfig(0, 8, 1, 0, 0, 0, 1, 64, 1))
                .hasMessageContaining("learningRate");
    }
}
