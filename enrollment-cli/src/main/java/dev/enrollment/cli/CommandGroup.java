package dev.enrollment.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.stream.Collectors;

/** A command that only groups subcommands (allowances, modes, orphans, users): run alone, it names them. */
abstract class CommandGroup implements Runnable {
    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        String names = spec.subcommands().keySet().stream().filter(n -> !n.equals("help"))
                .collect(Collectors.joining(" or "));
        throw new ParameterException(spec.commandLine(), "a subcommand is required: " + names);
    }
}
