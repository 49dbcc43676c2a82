package dev.enrollment.cli;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.EnrollmentException;
import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** Enrolls the users a CSV file names into one course. */
@Command(name = "enroll",
        mixinStandardHelpOptions = true,
        description = {"Enrolls the users listed in a CSV file into a course, active in the given mode, in batches.",
                "The file needs a header row naming a 'username' or an 'email' column (UTF-8, quoted fields and a",
                "BOM are fine). Users not found, rows that are invalid and users named twice are reported at the",
                "end; they do not stop the run. Running it again enrolls nobody twice.",
                "With --allow-unknown, an email that matches no user becomes an auto-enroll allowance for the",
                "course (Open edX's batch enrollment with auto-enroll): whoever creates an account with it later is",
                "enrolled then. Such rows are reported as allowed, not as unknown."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every row enrolled (or already enrolled, or allowed with --allow-unknown)",
                "1:some rows were not enrolled (unknown users, invalid rows, an unreadable file) or the database failed",
                "2:usage error"})
final class EnrollCommand implements Callable<Integer> {
    /** Rows read, looked up and enrolled at a time. */
    static final int CHUNK = 1000;
    private static final int REPORT_LIMIT = 20;

    @Mixin
    ConnectionOptions connection;

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--course", required = true, paramLabel = "KEY",
            description = "The course, course-v1:ORG+COURSE+RUN or ORG/COURSE/RUN.")
    String course;

    @Option(names = "--mode", defaultValue = "audit", paramLabel = "MODE",
            description = "The enrollment mode (an Open edX slug such as audit, verified, honor). Default: audit.")
    String mode;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "The CSV file.")
    Path csv;

    @Option(names = "--allow-unknown",
            description = "Turn emails that match no user into auto-enroll allowances for the course, used when "
                    + "an account with that email is created. Applies to a file of emails only.")
    boolean allowUnknown;

    /** What the run found, for the summary. */
    private static final class Tally {
        long rows;
        long duplicates;
        final List<String> unknown = new ArrayList<>();
        long unknownCount;
        final List<String> invalid = new ArrayList<>();
        long invalidCount;
        BulkResult enrolled = new BulkResult(0, 0, 0, 0);
        long allowedCount;
        final List<String> allowed = new ArrayList<>();
        final Set<String> allowedEmails = new HashSet<>();
        boolean byEmail;

        void allowed(long line, String value) {
            allowedCount++;
            if (allowed.size() < REPORT_LIMIT) {
                allowed.add("line " + line + ": " + printable(value));
            }
        }

        void unknown(long line, String value) {
            unknownCount++;
            if (unknown.size() < REPORT_LIMIT) {
                unknown.add("line " + line + ": " + printable(value));
            }
        }

        void invalid(long line, String why) {
            invalidCount++;
            if (invalid.size() < REPORT_LIMIT) {
                invalid.add("line " + line + ": " + why);
            }
        }
    }

    /** One data row: its line number and the username or email it names. */
    private record Row(long line, String key) {
    }

    @Override
    public Integer call() {
        CourseKey courseKey;
        CourseMode courseMode;
        try {
            courseKey = CourseKey.parse(course);
            courseMode = CourseMode.of(mode);
        } catch (InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --" + e.field() + ": " + e.getMessage());
        }
        if (!Files.isRegularFile(csv) || !Files.isReadable(csv)) {
            throw new ParameterException(spec.commandLine(), "Invalid --csv: no readable file at " + csv);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long total;
        try {
            total = countRecords(csv);
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            err.println("enroll failed: " + csv + " is not a readable UTF-8 CSV file (" + describe(e) + ")");
            return 1;
        }
        try (Enrollments enrollments = connection.open(parent.env());
             Progress progress = Progress.open("enroll", "rows", total, err)) {
            Tally tally = run(enrollments, courseKey, courseMode, progress);
            progress.close();
            summary(out, courseKey, courseMode, tally);
            return tally.unknownCount + tally.invalidCount + tally.enrolled.refused() > 0 ? 1 : 0;
        } catch (MissingColumn e) {
            err.println("enroll failed: " + e.getMessage());
            return 1;
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            err.println("enroll failed: " + csv + " is not a readable UTF-8 CSV file (" + describe(e) + ")");
            return 1;
        } catch (EnrollmentException e) {
            err.println("enroll failed: " + e.getMessage() + " (rows before it were enrolled; running again "
                    + "completes the rest)");
            return 1;
        }
    }

    /** The file has no username or email column. */
    private static final class MissingColumn extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingColumn(String message) {
            super(message);
        }
    }

    private Tally run(Enrollments enrollments, CourseKey courseKey, CourseMode courseMode, Progress progress)
            throws IOException {
        Tally tally = new Tally();
        Set<Long> seen = new HashSet<>();
        try (Reader reader = withoutBom(Files.newBufferedReader(csv, StandardCharsets.UTF_8));
             CSVParser parser = format().parse(reader)) {
            String column = keyColumn(parser.getHeaderNames());
            boolean byEmail = column.equalsIgnoreCase("email") && parser.getHeaderNames().stream()
                    .noneMatch(h -> h.trim().equalsIgnoreCase("username"));
            tally.byEmail = byEmail;
            List<Row> chunk = new ArrayList<>(CHUNK);
            for (CSVRecord record : parser) {
                tally.rows++;
                String value = record.isSet(column) ? record.get(column).trim() : "";
                chunk.add(new Row(record.getRecordNumber() + 1, value));
                if (chunk.size() == CHUNK) {
                    enrollChunk(enrollments, courseKey, courseMode, chunk, byEmail, allowUnknown, seen, tally);
                    progress.stepTo(tally.rows);
                    chunk.clear();
                }
            }
            enrollChunk(enrollments, courseKey, courseMode, chunk, byEmail, allowUnknown, seen, tally);
            progress.stepTo(tally.rows);
        }
        return tally;
    }

    private static void enrollChunk(Enrollments enrollments, CourseKey courseKey, CourseMode courseMode,
                                    List<Row> chunk, boolean byEmail, boolean allowUnknown, Set<Long> seen,
                                    Tally tally) {
        if (chunk.isEmpty()) {
            return;
        }
        List<Row> valid = new ArrayList<>();
        for (Row row : chunk) {
            if (row.key().isEmpty()) {
                tally.invalid(row.line(), "no " + (byEmail ? "email" : "username"));
                continue;
            }
            try {
                if (byEmail) {
                    User.unsaved("x", row.key());
                } else {
                    User.unsaved(row.key(), "");
                }
                valid.add(row);
            } catch (InvalidInputException e) {
                tally.invalid(row.line(), e.getMessage());
            }
        }
        Map<String, List<User>> found = new HashMap<>();
        List<String> keys = valid.stream().map(Row::key).distinct().toList();
        if (!keys.isEmpty()) {
            List<User> users = byEmail ? enrollments.users().findAllByEmail(keys)
                    : enrollments.users().findAllByUsername(keys);
            for (User u : users) {
                found.computeIfAbsent(normal(byEmail ? u.email() : u.username()), k -> new ArrayList<>()).add(u);
            }
        }
        List<User> toEnroll = new ArrayList<>();
        for (Row row : valid) {
            List<User> matches = found.getOrDefault(normal(row.key()), List.of());
            if (matches.isEmpty() && byEmail && allowUnknown) {
                if (tally.allowedEmails.add(normal(row.key()))) {
                    enrollments.allowances().allow(row.key(), courseKey, true);
                    tally.allowed(row.line(), row.key());
                } else {
                    tally.duplicates++;
                }
            } else if (matches.isEmpty()) {
                tally.unknown(row.line(), row.key());
            } else if (matches.size() > 1) {
                tally.invalid(row.line(), "the email belongs to " + matches.size() + " users; name them by username");
            } else if (!seen.add(matches.get(0).id().getAsLong())) {
                tally.duplicates++;
            } else {
                toEnroll.add(matches.get(0));
            }
        }
        tally.enrolled = tally.enrolled.plus(enrollments.enrollments().enrollAll(courseKey, courseMode, toEnroll));
    }

    private static String keyColumn(List<String> headers) {
        for (String wanted : new String[] {"username", "email"}) {
            for (String h : headers) {
                if (h != null && h.trim().equalsIgnoreCase(wanted)) {
                    return h;
                }
            }
        }
        throw new MissingColumn("the CSV file's header row names no 'username' or 'email' column (found: "
                + printable(String.join(", ", headers)) + ")");
    }

    private void summary(PrintWriter out, CourseKey courseKey, CourseMode courseMode, Tally t) {
        out.println("enroll: " + courseKey + " in mode " + courseMode.slug() + " from " + csv.getFileName());
        out.println("  rows read:          " + t.rows);
        out.println("  created:            " + t.enrolled.created());
        out.println("  reactivated:        " + t.enrolled.reactivated());
        out.println("  already enrolled:   " + t.enrolled.alreadyEnrolled());
        if (t.enrolled.refused() > 0) {
            out.println("  refused:            " + t.enrolled.refused() + " (the course is full)");
        }
        if (allowUnknown) {
            out.println("  allowed by email:   " + t.allowedCount + " (no user has the email yet: an auto-enroll "
                    + "allowance each, used when the account is created)");
            t.allowed.forEach(a -> out.println("    " + a));
            if (t.allowedCount > t.allowed.size()) {
                out.println("    ... and " + (t.allowedCount - t.allowed.size()) + " more");
            }
            if (!t.byEmail) {
                out.println("    (--allow-unknown applies to a file of emails; this one names usernames)");
            }
        }
        out.println("  duplicate rows:     " + t.duplicates + " (a user named more than once; enrolled once)");
        out.println("  unknown users:      " + t.unknownCount);
        t.unknown.forEach(u -> out.println("    " + u));
        if (t.unknownCount > t.unknown.size()) {
            out.println("    ... and " + (t.unknownCount - t.unknown.size()) + " more");
        }
        out.println("  invalid rows:       " + t.invalidCount);
        t.invalid.forEach(u -> out.println("    " + u));
        if (t.invalidCount > t.invalid.size()) {
            out.println("    ... and " + (t.invalidCount - t.invalid.size()) + " more");
        }
    }

    private static CSVFormat format() {
        return CSVFormat.DEFAULT.builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true)
                .setAllowMissingColumnNames(true)
                .get();
    }

    private static long countRecords(Path file) throws IOException {
        try (Reader reader = withoutBom(Files.newBufferedReader(file, StandardCharsets.UTF_8));
             CSVParser parser = format().parse(reader)) {
            long n = 0;
            for (CSVRecord ignored : parser) {
                n++;
            }
            return n;
        }
    }

    /** Commons CSV reads a UTF-8 byte order mark as part of the first header name: drop it. */
    private static Reader withoutBom(Reader reader) throws IOException {
        PushbackReader r = new PushbackReader(reader, 1);
        int first = r.read();
        if (first != -1 && first != '\uFEFF') {
            r.unread(first);
        }
        return r;
    }

    private static String normal(String value) {
        return Normalizer.normalize(value, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** A value from the file, safe to print: control characters replaced, at most 80 characters. */
    static String printable(String value) {
        StringBuilder s = new StringBuilder();
        value.codePoints().limit(80).forEach(cp -> s.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return value.length() > 80 ? s + "..." : s.toString();
    }

    private static String describe(Exception e) {
        Throwable t = e instanceof UncheckedIOException ? e.getCause() : e;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + printable(t.getMessage()));
    }
}
