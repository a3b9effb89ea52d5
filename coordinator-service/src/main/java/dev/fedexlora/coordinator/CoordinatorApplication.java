package dev.fedexlora.coordinator;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The coordinator: jobs, rounds, task leases and exact FedEx-LoRA aggregation. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class CoordinatorApplication {

    public static void main(String[] args) {
        SpringApplication.run(CoordinatorApplication.class, args);
    }

    /** All time in the coordinator comes from here, so tests can move it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
