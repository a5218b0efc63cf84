package dev.duet.job.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** What a class logs while a test runs, as {@code LEVEL message} lines (log4j2, the job's logging). */
public final class CapturedLog implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final AbstractAppender appender;

    private CapturedLog(Class<?> source) {
        logger = ((LoggerContext) LogManager.getContext(false)).getLogger(source.getName());
        appender = new AbstractAppender("captured-" + IDS.incrementAndGet(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts capturing what {@code source}'s logger writes. */
    public static CapturedLog of(Class<?> source) {
        return new CapturedLog(source);
    }

    /** Every line so far, {@code LEVEL message}. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines at {@code level}. */
    public List<String> at(Level level) {
        return lines.stream().filter(l -> l.startsWith(level.name() + " ")).toList();
    }

    @Override
    public void close() {
        logger.removeAppender(appender);
        appender.stop();
    }
}
