package com.example.signup;

/** The service on H2 in memory, as application.properties configures it. */
class SignupH2Test extends SignupContract {
}
