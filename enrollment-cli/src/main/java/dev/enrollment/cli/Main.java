package dev.enrollment.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code enrollment} command line. Exit codes: 0 success, 1 a failure (in the data or the database), 2 a usage
 * error (unknown command or option, bad argument).
 */
@Command(name = "enrollment",
        mixinStandardHelpOptions = true,
        version = "enrollment 0.1.0-SNAPSHOT",
        description = "Operator commands for course enrollments kept without a foreign key to auth_user.",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure in the data or the database", "2:usage error"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        // The library never sets these; an application may: no banner or tips in operator output.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
