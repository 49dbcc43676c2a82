package dev.enrollment.cli;

import dev.enrollment.Enrollments;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile CSV files for enroll: quotes, a BOM, empty lines, control characters, binary bytes. Each run ends with
 * exit code 0 or 1 and a message, never a stack trace, and never writes a user or an enrollment for a user the
 * database does not have.
 */
class CsvInputPropertiesTest {
    private static Path dir;
    private static String url;

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("csv-props");
        url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
        try (Enrollments e = Enrollments.builder().jdbcUrl(url, "sa", "").build()) {
            e.migrate();
            e.users().save(dev.enrollment.User.unsaved("known", "known@example.com"));
        }
    }

    @AfterContainer
    static void close() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<String> cell = Arbitraries.oneOf(
                Arbitraries.of("known", "KNOWN", "ghost", "\"known\"", "\"a,b\"", "\"un\"\"closed", "", " ",
                        "'; DROP TABLE auth_user; --", "\u0000", "known@example.com"),
                Arbitraries.strings().ofMaxLength(30));
        Arbitrary<String> line = cell.list().ofMinSize(0).ofMaxSize(4).map(cells -> String.join(",", cells));
        Arbitrary<String> header = Arbitraries.of("username", "email", "Username,Email", "\uFEFFusername",
                "name", "", "\"username\",x");
        Arbitrary<byte[]> text = net.jqwik.api.Combinators.combine(header, line.list().ofMaxSize(20),
                Arbitraries.of("\n", "\r\n", "\r"))
                .as((h, lines, eol) -> (h + eol + String.join(eol, lines)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.oneOf(text, text, binary);
    }

    @Property(tries = 60)
    void anyFileEndsInACleanExitAndWritesNothingUnknown(@ForAll("files") byte[] content) throws Exception {
        Path file = Files.createTempFile(dir, "in", ".csv");
        Files.write(file, content);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(Map.of("ENROLLMENT_JDBC_URL", url, "ENROLLMENT_DB_USER", "sa")::get));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("enroll", "--course", "course-v1:Csv+Prop+1", "--csv", file.toString());

        assertThat(code).as(err.toString()).isIn(0, 1);
        assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception in");
        if (code == 1) {
            assertThat(out.toString() + err.toString()).isNotBlank();
        }
        for (String sql : List.of("SELECT COUNT(*) FROM auth_user",
                "SELECT COUNT(*) FROM student_courseenrollment WHERE user_id NOT IN (SELECT id FROM auth_user)",
                "SELECT COUNT(*) FROM student_courseenrollment")) {
            long value = query(sql);
            if (sql.endsWith("auth_user")) {
                assertThat(value).as("no user is ever created by enroll").isEqualTo(1);
            } else if (sql.contains("NOT IN")) {
                assertThat(value).isZero();
            } else {
                assertThat(value).as("only the known user can be enrolled").isLessThanOrEqualTo(1);
            }
        }
    }

    private static long query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
