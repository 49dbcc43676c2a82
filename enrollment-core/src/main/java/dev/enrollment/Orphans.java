package dev.enrollment;

/**
 * Finds and removes orphans: enrollments whose user no longer exists, for example because another service deleted
 * the user behind the library's back. Without a foreign key the database does not prevent them; this job is what
 * keeps the table clean.
 *
 * <p>Both walk {@code student_courseenrollment} by primary key in keyset chunks (never OFFSET, never one statement
 * over the whole table), and check the chunk's user ids with the {@link UserLookup} (by default, {@code auth_user}
 * in the same database). Thread-safe.
 */
public interface Orphans {
    /** How many orphans an {@link OrphanReport} lists as its sample. */
    int SAMPLE_SIZE = 20;

    /**
     * Counts the orphans, per course, with a sample. Writes nothing.
     *
     * @return the report
     * @throws DatabaseException if the database fails
     */
    OrphanReport audit();

    /**
     * Finds orphans and, unless it is a {@linkplain SweepOptions#dryRun() dry run}, deletes them: each batch in its
     * own transaction, each deletion with a history row ({@code -}), with a pause between batches. Each orphan is
     * checked again, under a row lock, just before it is deleted; a row whose user exists is never deleted.
     * Running it again deletes nothing new. Orphan deletions fire no events: an orphan has no user to put in an
     * {@link Enrollment}.
     *
     * <p>An orphan that a foreign key of another table still references (on Open edX:
     * {@code student_courseenrollmentattribute}, {@code student_manualenrollmentaudit}, ...) cannot be deleted: the
     * sweep then deletes the rest of its batch row by row, passes over it and reports it in
     * {@link SweepResult#undeletable()} with the table that holds it (and logs one line per table), so it never
     * sticks. The library does not delete Open edX's dependent rows: they are not its tables, and what Django would
     * cascade there is Open edX's to decide. Delete them, then sweep again.
     *
     * @param options dry run or delete, batch size, pause, cap and resume point
     * @return how many were found and deleted, the last id handled, and whether the end was reached
     * @throws InvalidInputException if options is null
     * @throws DatabaseException     if the database fails; batches already done stay done
     */
    SweepResult sweep(SweepOptions options);
}
