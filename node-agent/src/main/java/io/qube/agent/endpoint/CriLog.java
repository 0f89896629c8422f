package io.qube.agent.endpoint;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads a container log in the CRI format ({@code TIME STREAM F|P TEXT}, rotated parts beside it as
 * {@code log.1}), as the kubelet's log reader does: partial lines joined, times kept for {@code timestamps} and
 * {@code since}, the last lines for {@code tailLines}, and the growing file followed.
 */
final class CriLog {

    /** One line of the container's output, with the time it was written and whether it ended with a newline. */
    record Line(String time, String text, boolean complete) {
        String render(boolean timestamps) {
            return (timestamps ? time + " " : "") + text + (complete ? "\n" : "");
        }
    }

    private final Path file;
    private long offset;
    private Object fileKey;

    CriLog(Path file) {
        this.file = file;
    }

    /** Everything written so far (the rotated part first), filtered by since and tail. */
    List<Line> existing(LogOptions options) throws IOException {
        List<Line> lines = new ArrayList<>();
        Path rotated = file.resolveSibling(file.getFileName() + ".1");
        if (Files.exists(rotated)) {
            lines.addAll(parse(Files.readAllBytes(rotated)));
        }
        if (Files.exists(file)) {
            byte[] content = Files.readAllBytes(file);
            int end = lastNewline(content) + 1;
            lines.addAll(parse(java.util.Arrays.copyOf(content, end)));
            offset = end;
            fileKey = key();
        }
        if (options.since() != null) {
            lines.removeIf(line -> Instant.parse(line.time()).isBefore(options.since()));
        }
        if (options.tailLines() != null) {
            Deque<Line> tail = new ArrayDeque<>();
            for (Line line : lines) {
                tail.addLast(line);
                if (tail.size() > options.tailLines()) {
                    tail.removeFirst();
                }
            }
            return new ArrayList<>(tail);
        }
        return lines;
    }

    /** Lines written since the last read; after a rotation, the new file from its start. */
    List<Line> more() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Object now = key();
        if (fileKey != null && !fileKey.equals(now) || Files.size(file) < offset) {
            offset = 0;
        }
        fileKey = now;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= offset) {
                return List.of();
            }
            byte[] content = new byte[(int) Math.min(length - offset, 1 << 20)];
            in.seek(offset);
            in.readFully(content);
            int end = lastNewline(content) + 1;
            offset += end;
            return parse(java.util.Arrays.copyOf(content, end));
        }
    }

    private Object key() throws IOException {
        return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    private static int lastNewline(byte[] content) {
        for (int i = content.length - 1; i >= 0; i--) {
            if (content[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static List<Line> parse(byte[] content) {
        List<Line> lines = new ArrayList<>();
        StringBuilder partial = new StringBuilder();
        for (String raw : new String(content, StandardCharsets.UTF_8).split("\n")) {
            String[] parts = raw.split(" ", 4);
            if (parts.length < 3) {
                continue;
            }
            String text = parts.length == 4 ? parts[3] : "";
            if (parts[2].equals("P")) {
                partial.append(text);
                continue;
            }
            lines.add(new Line(parts[0], partial + text, true));
            partial.setLength(0);
        }
        return lines;
    }
}
