package dev.enrollment.cli;

import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.function.Function;

/**
 * The connection options every database command shares (a picocli mixin): the URL and the account from options
 * or environment variables, the password from the environment only, so it never appears in shell history or in
 * the process list.
 */
final class ConnectionOptions {
    static final String URL_ENV = "ENROLLMENT_JDBC_URL";
    static final String USER_ENV = "ENROLLMENT_DB_USER";
    static final String PASSWORD_ENV = "ENROLLMENT_DB_PASSWORD";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "JDBC URL of the database, such as jdbc:mysql://127.0.0.1:3306/app, "
                    + "jdbc:postgresql://127.0.0.1:5432/app or jdbc:h2:file:./enrollment. "
                    + "Default: the environment variable " + URL_ENV + ".")
    String jdbcUrl;

    @Option(names = "--user", paramLabel = "USER",
            description = "Database account. Default: the environment variable " + USER_ENV + ". The password "
                    + "is read from the environment variable " + PASSWORD_ENV + " only, never from the command line.")
    String user;

    /** Refuses a password on the command line, without repeating it. */
    @Option(names = {"--password", "--db-password"}, hidden = true, arity = "0..1", paramLabel = "IGNORED")
    void refusePassword(String ignored) {
        throw new ParameterException(mixee.commandLine(), "A password is not accepted on the command line (shell "
                + "history and process lists would show it): set the environment variable " + PASSWORD_ENV + ".");
    }

    /**
     * Builds an {@link Enrollments} on the configured database, with a pool that closes with it.
     *
     * @param env the environment
     * @return the instance
     * @throws ParameterException if no URL is given, or the URL is malformed (a usage error)
     */
    Enrollments open(Function<String, String> env) {
        String url = firstNonEmpty(jdbcUrl, env.apply(URL_ENV));
        if (url == null) {
            throw new ParameterException(mixee.commandLine(),
                    "Missing the database: give --jdbc-url=URL or set the environment variable " + URL_ENV + ".");
        }
        String account = firstNonEmpty(user, env.apply(USER_ENV));
        try {
            return Enrollments.builder().jdbcUrl(url, account, env.apply(PASSWORD_ENV)).build();
        } catch (InvalidInputException e) {
            throw new ParameterException(mixee.commandLine(), "Invalid --jdbc-url: " + e.getMessage(), e);
        }
    }

    private static String firstNonEmpty(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b == null || b.isBlank() ? null : b;
    }
}
