package io.rhid.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.spi.ProbeProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProviderRegistryTest {

    @Test
    void service_loader_finds_exactly_the_five_built_in_types() {
        assertThat(ServiceLoader.load(ProbeProvider.class).stream().map(p -> p.get().type()))
                .containsExactlyInAnyOrder("http", "tcp", "dns", "exec", "file");
    }
}
