package dev.fedexlora.core.ref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelVersionUriUnitTests {

    @Test
    void parsesAliasAndNumberForms() {
        assertThat(ModelVersionUri.parse("fedex://models/minilm@production"))
                .isEqualTo(new ModelVersionUri("minilm", "production"));
        ModelVersionUri numbered = ModelVersionUri.parse("fedex://models/bert-base.v2/12");
        assertThat(numbered).isEqualTo(new ModelVersionUri("bert-base.v2", "12"));
        assertThat(numbered.numbered()).isTrue();
        assertThat(numbered.toString()).isEqualTo("fedex://models/bert-base.v2/12");
        assertThat(ModelVersionUri.parse("fedex://models/minilm@latest").toString())
                .isEqualTo("fedex://models/minilm@latest");
    }

    @Test
    void refusesOtherSchemesPathsAndBadNames() {
        for (String bad : new String[] {"s3://models/minilm/1", "fedex://models/minilm", "fedex://models/a/b/c",
                "fedex://models/../etc@x", "fedex://models/Upper@x", "fedex://models/minilm@a b",
                "fedex://models/minilm@", "fedex://models/minilm@x@y", "minilm@production"}) {
            assertThatThrownBy(() -> ModelVersionUri.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ModelVersionUri.parse("fedex://models/minilm"))
                .hasMessageContaining("fedex://models/NAME@ALIAS");
    }
}
