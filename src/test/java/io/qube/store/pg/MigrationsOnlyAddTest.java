package io.qube.store.pg;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule of docs/upgrades.md: during a rolling upgrade an older control plane runs on the schema a newer one
 * migrated, so every migration after V1 only adds. A scan of each statement (comments, string literals and
 * function bodies left out) refuses what would take away or change what an older process reads or writes.
 */
class MigrationsOnlyAddTest {

    private static final Path MIGRATIONS = Path.of("src", "main", "resources", "db", "migration");
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");
    private static final List<Pattern> FORBIDDEN = List.of(
            Pattern.compile("\\bDROP\\b"),
            Pattern.compile("\\bRENAME\\b"),
            Pattern.compile("\\bTRUNCATE\\b"),
            Pattern.compile("\\bOR\\s+REPLACE\\b"),
            Pattern.compile("\\bALTER\\s+COLUMN\\b.*\\b(TYPE|SET\\s+NOT\\s+NULL)\\b"),
            Pattern.compile("\\bADD\\s+(CONSTRAINT|PRIMARY\\s+KEY|UNIQUE)\\b"),
            Pattern.compile("^\\s*(DELETE|UPDATE)\\b"));
    private static final Pattern NOT_NULL_COLUMN = Pattern.compile("\\bADD\\s+(COLUMN\\s+)?\\S+\\s+[^,]*\\bNOT\\s+NULL\\b");

    @Test
    void everyMigrationAfterTheFirstOnlyAdds() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(MIGRATIONS)) {
            files = listed.filter(f -> VERSION.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
        assertThat(files).as("migrations").isNotEmpty();
        List<String> violations = new ArrayList<>();
        for (Path file : files) {
            Matcher version = VERSION.matcher(file.getFileName().toString());
            if (version.matches() && Integer.parseInt(version.group(1)) > 1) {
                violations(Files.readString(file)).forEach(v -> violations.add(file.getFileName() + ": " + v));
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theScanRefusesWhatTakesAwayOrChanges() {
        assertThat(violations("CREATE TABLE t (a int); CREATE INDEX i ON t (a);")).isEmpty();
        assertThat(violations("ALTER TABLE t ADD COLUMN b text;")).isEmpty();
        assertThat(violations("ALTER TABLE t ADD COLUMN b text NOT NULL DEFAULT 'x';")).isEmpty();
        assertThat(violations("-- DROP TABLE t\nCREATE TABLE u (a text DEFAULT 'drop');")).isEmpty();
        assertThat(violations("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM t; END $$;"))
                .isEmpty();
        assertThat(violations("DROP TABLE qube_log;")).hasSize(1);
        assertThat(violations("alter table qube_object drop column labels;")).hasSize(1);
        assertThat(violations("ALTER TABLE qube_log RENAME COLUMN body TO content;")).hasSize(1);
        assertThat(violations("ALTER TABLE qube_log ALTER COLUMN body TYPE jsonb;")).hasSize(1);
        assertThat(violations("CREATE OR REPLACE FUNCTION qube_write() RETURNS void AS $$ $$ LANGUAGE sql;"))
                .hasSize(1);
        assertThat(violations("ALTER TABLE qube_object ADD COLUMN owner text NOT NULL;")).hasSize(1);
        assertThat(violations("ALTER TABLE qube_object ADD CONSTRAINT c UNIQUE (name);")).hasSize(1);
        assertThat(violations("TRUNCATE qube_log;")).hasSize(1);
        assertThat(violations("UPDATE qube_object SET labels = '{}';")).hasSize(1);
    }

    /** Each statement of the script that does not only add, as written (upper-cased). */
    static List<String> violations(String script) {
        List<String> found = new ArrayList<>();
        for (String statement : statements(script)) {
            String upper = statement.toUpperCase().replaceAll("\\s+", " ").trim();
            boolean notNullWithoutDefault = NOT_NULL_COLUMN.matcher(upper).find() && !upper.contains(" DEFAULT ");
            if (notNullWithoutDefault || FORBIDDEN.stream().anyMatch(p -> p.matcher(upper).find())) {
                found.add(upper);
            }
        }
        return found;
    }

    /** The statements, without comments, string literals and dollar-quoted bodies (their contents run later). */
    private static List<String> statements(String script) {
        String bare = script.replaceAll("(?s)\\$(\\w*)\\$.*?\\$\\1\\$", "\\$\\$")
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("--[^\n]*", " ")
                .replaceAll("'(?:[^']|'')*'", "''");
        List<String> statements = new ArrayList<>();
        for (String statement : bare.split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement);
            }
        }
        return statements;
    }
}
