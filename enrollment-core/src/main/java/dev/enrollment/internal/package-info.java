/**
 * The implementation of the enrollment library. <strong>Not API</strong>: anything here may change in any release
 * without notice, and it is left out of the published javadoc. Use the types in {@code dev.enrollment}.
 */
package dev.enrollment.internal;
