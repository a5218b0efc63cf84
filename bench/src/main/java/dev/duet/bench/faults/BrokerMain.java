package dev.duet.bench.faults;

import dev.duet.demo.EmbeddedKafka;
import java.nio.file.Path;

/**
 * The fault suite's Kafka broker as a process of its own: the demo's single-node KRaft broker
 * ({@link EmbeddedKafka#startPersistent}) on fixed ports of 127.0.0.1 and a fixed log folder, so
 * that it can be stopped and started again with its data. Stops cleanly on SIGTERM.
 *
 * <p>Arguments: {@code LOG_DIR BROKER_PORT CONTROLLER_PORT}.
 */
public final class BrokerMain {

    /** Printed once the broker answers. */
    static final String READY = "duet fault-suite broker: ready on ";

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BrokerMain LOG_DIR BROKER_PORT CONTROLLER_PORT");
            System.exit(2);
        }
        EmbeddedKafka kafka = EmbeddedKafka.startPersistent(Path.of(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "duet-broker-shutdown"));
        System.out.println(READY + kafka.bootstrap());
        System.out.flush();
        Thread.currentThread().join();
    }
}
