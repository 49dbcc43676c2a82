package com.example.signup;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A course shop: sells seats in verified tracks and enrolls the buyers. */
@SpringBootApplication
public class SignupApplication {
    public static void main(String[] args) {
        SpringApplication.run(SignupApplication.class, args);
    }
}
