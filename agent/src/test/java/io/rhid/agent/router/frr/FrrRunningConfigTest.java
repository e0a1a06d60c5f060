package io.rhid.agent.router.frr;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Prefix;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrRunningConfigTest {

    /** FRR 8.4.4's {@code vtysh -d bgpd -c 'show running-config'} from the FrrIT lab, shortened. */
    static final String RUNNING = """
            Building configuration...

            Current configuration:
            !
            frr version 8.4.4
            frr defaults traditional
            hostname vm
            no ip forwarding
            no ipv6 forwarding
            !
            router bgp 65000
             bgp router-id 10.255.0.1
             no bgp ebgp-requires-policy
             neighbor 10.255.0.2 remote-as 65001
             neighbor 10.255.0.2 timers connect 1
             !
             address-family ipv4 unicast
              network 192.0.2.0/24
              network 198.51.100.53/32 route-map rhid-dns+ntp-degraded
              network 203.0.113.0/24 route-map operator-x
             exit-address-family
             !
             address-family ipv6 unicast
              network 2001:db8::53/128 route-map rhid-dns-degraded
              neighbor 10.255.0.2 activate
             exit-address-family
             !
             address-family ipv4 multicast
              network 198.51.100.99/32 route-map rhid-ignored-up
             exit-address-family
            exit
            !
            router bgp 65001 vrf blue
             !
             address-family ipv4 unicast
              network 198.51.100.1/32 route-map rhid-old-up
             exit-address-family
            exit
            !
            router bgp 65002 view v1
            exit
            !
            route-map operator-x permit 10
             set local-preference 200
            exit
            !
            route-map rhid-dns+ntp-degraded permit 10
             set as-path prepend 65000 65000
             set community 65000:100 graceful-shutdown additive
             set metric 500
            exit
            !
            route-map rhid-dns+ntp-degraded deny 20
            exit
            !
            route-map rhid-dns-degraded permit 10
            exit
            !
            end
            """;

    @Test
    void parses_instances_rhids_network_lines_the_operators_and_rhids_route_maps() {
        FrrRunningConfig c = FrrRunningConfig.parse(RUNNING);
        BgpInstance main = new BgpInstance(65000, "");

        assertThat(c.instances()).containsExactly(main, new BgpInstance(65001, "blue"));
        assertThat(c.otherInstances()).containsExactly("router bgp 65002 view v1");
        assertThat(c.rhidNetworks(main)).containsExactly(
                java.util.Map.entry(Prefix.of("198.51.100.53/32"), "rhid-dns+ntp-degraded"),
                java.util.Map.entry(Prefix.of("2001:db8::53/128"), "rhid-dns-degraded"));
        assertThat(c.operatorNetworks(main)).containsExactly(Prefix.of("192.0.2.0/24"), Prefix.of("203.0.113.0/24"));
        assertThat(c.rhidNetworks(new BgpInstance(65001, "blue"))).containsOnlyKeys(Prefix.of("198.51.100.1/32"));
        assertThat(c.rhidRouteMaps()).containsOnlyKeys("rhid-dns+ntp-degraded", "rhid-dns-degraded");
        assertThat(c.rhidRouteMaps().get("rhid-dns+ntp-degraded").get(10).lines()).containsExactly(
                "set as-path prepend 65000 65000", "set community 65000:100 graceful-shutdown additive", "set metric 500");
        assertThat(c.rhidRouteMaps().get("rhid-dns+ntp-degraded").get(20).action()).isEqualTo("deny");
        assertThat(c.rhidNetworkCount()).isEqualTo(3);
    }
}
