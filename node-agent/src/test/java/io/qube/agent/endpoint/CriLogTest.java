package io.qube.agent.endpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading container logs in the CRI format: partial lines, rotation, since, tail, follow. */
class CriLogTest {

    @TempDir
    Path directory;

    private static LogOptions options(Long tail, Instant since) {
        return new LogOptions(false, false, false, tail, since, null);
    }

    @Test
    void partialLinesAreJoinedAndTheRotatedPartComesFirst() throws Exception {
        Files.writeString(directory.resolve("log.1"), "2026-12-05T00:00:01.000000000Z stdout F old\n");
        Files.writeString(directory.resolve("log"), """
                2026-12-05T00:00:02.000000000Z stdout P hel
                2026-12-05T00:00:02.100000000Z stdout F lo
                2026-12-05T00:00:03.000000000Z stderr F oops
                """);
        CriLog log = new CriLog(directory.resolve("log"));
        assertThat(log.existing(options(null, null))).extracting(line -> line.render(false))
                .containsExactly("old\n", "hello\n", "oops\n");
        assertThat(log.existing(options(1L, null)).get(0).render(true))
                .isEqualTo("2026-12-05T00:00:03.000000000Z oops\n");
        assertThat(log.existing(options(null, Instant.parse("2026-12-05T00:00:02.050Z"))))
                .extracting(CriLog.Line::text).containsExactly("hello", "oops");
    }

    @Test
    void followingReadsWhatIsAppendedAndRestartsAfterARotation() throws Exception {
        Path file = directory.resolve("log");
        Files.writeString(file, "2026-12-05T00:00:01.000000000Z stdout F one\n");
        CriLog log = new CriLog(file);
        assertThat(log.existing(options(null, null))).hasSize(1);
        assertThat(log.more()).isEmpty();
        Files.writeString(file, "2026-12-05T00:00:02.000000000Z stdout F two\n2026-12-05T00:00:02", 
                StandardOpenOption.APPEND);
        assertThat(log.more()).extracting(CriLog.Line::text).containsExactly("two");
        Files.move(file, directory.resolve("log.1"));
        Files.writeString(file, "2026-12-05T00:00:03.000000000Z stdout F three\n");
        assertThat(log.more()).extracting(CriLog.Line::text).containsExactly("three");
    }
}
