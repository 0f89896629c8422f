package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.store.LabelSyntax;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/** The string formats admission relies on: names, label syntax, IP literals, images and quantities. */
class SyntaxTest {

    @Test
    void qualifiedNamesExplainExactlyWhatTheStoresLabelSyntaxRejects() {
        String[] samples = {"app", "App.Name_1", "example.com/app", "a/b/c", "/app", "example.com/", "-app", "app-",
                "Example.com/app", "x".repeat(63), "x".repeat(64), "p/" + "x".repeat(64), "a".repeat(254) + "/x", ""};
        for (String sample : samples) {
            assertThat(NameSyntax.qualifiedName(sample).isEmpty()).as(sample).isEqualTo(LabelSyntax.isValidKey(sample));
        }
        for (String value : new String[] {"", "web", "my_value", "-web", "web server", "x".repeat(63), "x".repeat(64)}) {
            assertThat(NameSyntax.labelValue(value).isEmpty()).as(value).isEqualTo(LabelSyntax.isValidValue(value));
        }
    }

    @Test
    void qualifiedNameProblemsAreWordedPerPart() {
        assertThat(NameSyntax.qualifiedName("/app")).containsExactly("prefix part must be non-empty");
        assertThat(NameSyntax.qualifiedName("example.com/")).containsExactly("name part must be non-empty",
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                        + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        assertThat(NameSyntax.qualifiedName("x".repeat(64))).containsExactly("name part must be no more than 63 characters");
    }

    @Test
    void portNamesAreIanaServiceNames() {
        assertThat(NameSyntax.portName("http")).isEmpty();
        assertThat(NameSyntax.portName("a-very-long-port-name")).containsExactly("must be no more than 15 characters");
        assertThat(NameSyntax.portName("web--1")).containsExactly("must not contain consecutive hyphens");
        assertThat(NameSyntax.portName("-web")).containsExactly("must not begin or end with a hyphen");
    }

    @Test
    void ipLiteralsAreParsedWithoutAskingDns() {
        assertThat(IpAddresses.parse("10.0.0.1")).isPresent();
        assertThat(IpAddresses.parse("2001:db8::1")).isPresent();
        assertThat(IpAddresses.parse("::")).isPresent();
        assertThat(IpAddresses.parse("::ffff:10.0.0.1")).isPresent();
        assertThat(IpAddresses.parse("fe80::1:2:3:4:5:6")).isPresent();
        for (String bad : new String[] {"", "10.0.0", "10.0.0.256", "1.2.3.4.5", "localhost", "example.com",
                "2001:db8::1::2", "1:2:3:4:5:6:7:8:9", "12345::1", "1.2.3.4::", "g::1"}) {
            assertThat(IpAddresses.parse(bad)).as(bad).isEmpty();
        }
        assertThat(IpAddresses.isValidCidr("10.244.0.0/16")).isTrue();
        assertThat(IpAddresses.isValidCidr("2001:db8::/64")).isTrue();
        assertThat(IpAddresses.isValidCidr("10.244.0.0/33")).isFalse();
        assertThat(IpAddresses.isValidCidr("10.244.0.0")).isFalse();
    }

    @Test
    void imagesWithoutTagOrWithLatestArePulledAlways() {
        assertThat(ImageReference.pullsLatest("nginx")).isTrue();
        assertThat(ImageReference.pullsLatest("nginx:latest")).isTrue();
        assertThat(ImageReference.pullsLatest("localhost:5000/nginx")).isTrue();
        assertThat(ImageReference.pullsLatest("nginx:1.27")).isFalse();
        assertThat(ImageReference.pullsLatest("nginx:latest@sha256:abc")).isTrue();
        assertThat(ImageReference.pullsLatest("nginx@sha256:abc")).isFalse();
        assertThat(ImageReference.pullsLatest("Nginx")).isFalse();
        assertThat(ImageReference.pullsLatest("Registry.Local/nginx")).isTrue();
    }

    @Test
    void quantitiesFollowKubernetesGrammar() {
        assertThat(Quantities.value(new Quantity("500m"))).contains(new BigDecimal("0.500"));
        assertThat(Quantities.value(new Quantity("1Gi"))).hasValueSatisfying(
                value -> assertThat(value).isEqualByComparingTo("1073741824"));
        assertThat(Quantities.value(new Quantity("1", "Gi"))).hasValueSatisfying(
                value -> assertThat(value).isEqualByComparingTo("1073741824"));
        assertThat(Quantities.value(new Quantity("1e3"))).hasValueSatisfying(
                value -> assertThat(value).isEqualByComparingTo("1000"));
        assertThat(Quantities.value(new Quantity("-2"))).hasValueSatisfying(
                value -> assertThat(value).isEqualByComparingTo("-2"));
        assertThat(Quantities.value(new Quantity("lots"))).isEmpty();
        assertThat(Quantities.value(new Quantity("1GB"))).isEmpty();
    }
}
