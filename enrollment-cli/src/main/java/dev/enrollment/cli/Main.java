package dev.enrollment.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code enrollment} command line. Exit codes: 0 success, 1 a failure (in the data or the database), 2 a usage
 * error (unknown command or option, bad argument).
 */
@Command(name = "enrollment",
        mixinStandardHelpOptions = true,
        version = "enrollment 0.1.0-SNAPSHOT",
        description = "Operator commands for course enrollments kept without a foreign key to auth_user.",
        subcommands = {MigrateCommand.class, EnrollCommand.class, OrphansCommand.class, AdoptCommand.class,
                AllowancesCommand.class, ModesCommand.class, UsersCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nDatabase commands read:%n",
        footer = {"  " + ConnectionOptions.URL_ENV + "       the JDBC URL when --jdbc-url is not given",
                "  " + ConnectionOptions.USER_ENV + "        the account when --user is not given",
                "  " + ConnectionOptions.PASSWORD_ENV + "    the password (never a command-line option)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure in the data or the database", "2:usage error"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Function<String, String> env;

    /** Creates the command line reading the process's environment. */
    public Main() {
        this(System::getenv);
    }

    /**
     * Creates the command line with an environment of the caller's, for tests.
     *
     * @param env looks up an environment variable, null when unset
     */
    Main(Function<String, String> env) {
        this.env = env;
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit code, for tests.
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int run(String... args) {
        return commandLine(new Main()).execute(args);
    }

    /**
     * Configures the command line around a {@link Main}: usage errors exit with 2 and never echo arguments that
     * are not option names, since a mistyped option may be followed by a secret.
     *
     * @param main the top command
     * @return the command line, ready to execute
     */
    static CommandLine commandLine(Main main) {
        // The library never sets these; an application may: no banner or tips in operator output.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        CommandLine cli = new CommandLine(main);
        cli.setParameterExceptionHandler(Main::usageError);
        return cli;
    }

    Function<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        if (e instanceof CommandLine.UnmatchedArgumentException) {
            CommandLine.UnmatchedArgumentException unmatched = (CommandLine.UnmatchedArgumentException) e;
            err.println(describeUnmatched(unmatched.getUnmatched(), args));
            CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, err);
        } else {
            err.println(e.getMessage());
        }
        err.println();
        cli.usage(err);
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Names unknown options and commands, but only counts other arguments: one may be a password. */
    private static String describeUnmatched(List<String> unmatched, String[] args) {
        List<String> names = new ArrayList<>();
        int others = 0;
        for (String arg : unmatched) {
            if (args.length > 0 && arg.equals(args[0]) && !arg.startsWith("-")) {
                names.add("command '" + arg + "'");
            } else if (arg.startsWith("-")) {
                int eq = arg.indexOf('=');
                names.add("option '" + (eq < 0 ? arg : arg.substring(0, eq)) + "'");
            } else {
                others++;
            }
        }
        StringBuilder message = new StringBuilder();
        if (!names.isEmpty()) {
            message.append("Unknown: ").append(String.join(", ", names));
        }
        if (others > 0) {
            message.append(message.length() > 0 ? "; and " : "").append(others)
                    .append(others > 1 ? " unexpected arguments" : " unexpected argument")
                    .append(" (not repeated here, in case one is a secret)");
        }
        return message.toString();
    }
}
