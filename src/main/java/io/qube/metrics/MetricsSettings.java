package io.qube.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The resource metrics' settings ({@code qube.metrics.*}). */
@ConfigMapping(prefix = "qube.metrics")
public interface MetricsSettings {

    /** How often every Ready node's summary is fetched (metrics-server's --metric-resolution); also the window. */
    @WithDefault("15s")
    Duration resolution();

    /** How long one node may take to answer before its round is given up (its older figures are dropped). */
    @WithDefault("10s")
    Duration scrapeTimeout();
}
