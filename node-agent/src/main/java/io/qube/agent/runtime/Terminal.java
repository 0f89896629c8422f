package io.qube.agent.runtime;

import java.util.List;

/** A command given a terminal of its own by script(1), for {@code exec -t} where nothing else allocates one. */
public final class Terminal {

    private Terminal() {
    }

    public static List<String> underScript(List<String> command) {
        StringBuilder line = new StringBuilder();
        for (String word : command) {
            line.append(line.length() == 0 ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return List.of("script", "-qfec", line.toString(), "/dev/null");
    }
}
