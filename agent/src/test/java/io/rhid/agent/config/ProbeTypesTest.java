package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.ProbeResult;
import io.rhid.checks.spi.ProbeSpec;
import io.rhid.checks.spi.SpecReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProbeTypesTest {

    private static final ProbeContext CONTEXT = new ProbeContext("svc/check", Duration.ofSeconds(1));

    record Alpha(String target) implements ProbeSpec {
        @Override
        public String type() {
            return "alpha";
        }
    }

    record Beta(String target) implements ProbeSpec {
        @Override
        public String type() {
            return "beta";
        }
    }

    /** Records what it was asked to create and warm up, typed by its own spec. */
    static final class Recording<S extends ProbeSpec> implements ProbeProvider<S> {
        final String type;
        final Class<S> specType;
        final List<S> created = new ArrayList<>();
        final List<List<S>> warmedUp = new ArrayList<>();

        Recording(String type, Class<S> specType) {
            this.type = type;
            this.specType = specType;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Class<S> specType() {
            return specType;
        }

        @Override
        public S parse(SpecReader reader) {
            return null;
        }

        @Override
        public Probe create(S spec, ProbeContext context) {
            created.add(spec);
            return () -> ProbeResult.pass(spec.target());
        }

        @Override
        public void warmUp(List<S> specs) {
            warmedUp.add(specs);
        }
    }

    private final Recording<Alpha> alpha = new Recording<>("alpha", Alpha.class);
    private final Recording<Beta> beta = new Recording<>("beta", Beta.class);
    private final ProbeTypes types = ProbeTypes.of(alpha, beta);

    @Test
    void creates_each_probe_through_the_provider_of_its_specs_type() {
        assertThat(types.create(new Beta("b1"), CONTEXT).run()).isEqualTo(ProbeResult.pass("b1"));
        assertThat(types.create(new Alpha("a1"), CONTEXT).run()).isEqualTo(ProbeResult.pass("a1"));

        assertThat(alpha.created).containsExactly(new Alpha("a1"));
        assertThat(beta.created).containsExactly(new Beta("b1"));
    }

    @Test
    void refuses_a_spec_no_provider_here_parses() {
        /** A spec of no provider's class, naming any type. */
        record Stray(String type, String target) implements ProbeSpec {
        }
        assertThatThrownBy(() -> types.create(new Stray("gamma", "g"), CONTEXT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("check type gamma");
        assertThatThrownBy(() -> types.create(new Stray("alpha", "i"), CONTEXT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("check type alpha").hasMessageContaining("Stray");
        assertThat(alpha.created).isEmpty();
    }

    @Test
    void warms_up_each_used_type_once_with_only_its_own_specs() {
        types.warmUp(List.of(new Alpha("a1"), new Beta("b1"), new Alpha("a2")));

        assertThat(alpha.warmedUp).containsExactly(List.of(new Alpha("a1"), new Alpha("a2")));
        assertThat(beta.warmedUp).containsExactly(List.of(new Beta("b1")));
    }

    @Test
    void warms_up_no_type_that_no_check_uses() {
        types.warmUp(List.of(new Beta("b1")));

        assertThat(alpha.warmedUp).isEmpty();
    }
}
