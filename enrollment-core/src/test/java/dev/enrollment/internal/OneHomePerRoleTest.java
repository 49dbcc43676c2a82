package dev.enrollment.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the implementation's shape (issue 13, item 9): rows read by field through one mapper per table, never by
 * position with jOOQ's {@code valueN()}; HikariCP named only by the class that owns the pool; no internal class
 * growing back into several roles. Reads the module's own sources (Maven runs tests from the module directory).
 */
class OneHomePerRoleTest {
    private static final Path MAIN = Path.of("src/main/java/dev/enrollment");
    /** "About 350 lines": a file past this has taken on a second role. */
    private static final int MAX_LINES = 380;
    private static final Pattern BY_POSITION = Pattern.compile("\\.value\\d+\\(\\)");

    @Test
    void rowsAreReadByFieldNeverByPosition() throws IOException {
        Map<String, List<String>> found = grep(BY_POSITION);
        assertThat(found).as("jOOQ records read by position (valueN()); map them with the table's row mapper")
                .isEmpty();
    }

    @Test
    void onlyOwnedPoolNamesHikariCp() throws IOException {
        Map<String, List<String>> found = grep(Pattern.compile("com\\.zaxxer"));
        assertThat(found.keySet()).as("files naming HikariCP's types").containsOnly("internal/OwnedPool.java");
    }

    @Test
    void noInternalClassHoldsSeveralRoles() throws IOException {
        Map<String, Integer> tooLong = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN.resolve("internal"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                int lines = Files.readAllLines(p).size();
                if (lines > MAX_LINES) {
                    tooLong.put(MAIN.relativize(p).toString(), lines);
                }
            }
        }
        assertThat(tooLong).as("internal classes over " + MAX_LINES + " lines").isEmpty();
    }

    private static Map<String, List<String>> grep(Pattern pattern) throws IOException {
        assertThat(MAIN).as("the module's sources, from the module directory").isDirectory();
        Map<String, List<String>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                List<String> hits = Files.readAllLines(p).stream().filter(l -> pattern.matcher(l).find())
                        .collect(Collectors.toList());
                if (!hits.isEmpty()) {
                    found.put(MAIN.relativize(p).toString(), hits);
                }
            }
        }
        return found;
    }
}
