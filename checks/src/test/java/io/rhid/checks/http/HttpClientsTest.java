package io.rhid.checks.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import okhttp3.ConnectionSpec;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpClientsTest {

    @Test
    void plain_http_probes_get_a_client_without_tls_and_share_one_pool_with_the_tls_client() {
        HttpClients clients = new HttpClients();

        assertThat(clients.pooled(false).connectionSpecs()).containsExactly(ConnectionSpec.CLEARTEXT);
        assertThat(clients.pooled(true).connectionSpecs()).containsExactlyElementsOf(
                List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT));
        assertThat(clients.pooled(true)).isSameAs(clients.pooled(true));
        assertThat(clients.pooled(true).connectionPool()).isSameAs(clients.pooled(false).connectionPool());
    }
}
