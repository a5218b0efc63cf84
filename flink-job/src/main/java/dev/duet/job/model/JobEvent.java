package dev.duet.job.model;

/**
 * A parsed input event of any kind (a flat POJO so that Flink serialises it without Kryo); which
 * fields are set depends on {@link #kind}.
 */
public class JobEvent {
    public EventKind kind;
    /** {@code topic-partition-offset} of the source record. */
    public String eventId;
    public String userId;
    public String itemId;
    public float rating;
    public String eventType;
    /** Event time, epoch milliseconds (0 for catalog and control records). */
    public long timestampMs;
    /** Processing time when the record was parsed, for the end-to-end latency. */
    public long ingestMs;

    /** INTERACTION, REQUEST: the user's profile when the record carried one (else all null). */
    public String gender;
    public String age;
    public String occupation;
    public String zip;

    public String requestId;
    public String[] candidates;
    public int k;

    /** Catalog entries (kind ITEM). */
    public ItemDescriptor item;
    /** Control (kind CONTROL). */
    public String modelPath;
    /** Control: which model {@link #modelPath} replaces ({@code ModelControl.Target} name; null: the CRM). */
    public String controlTarget;
    /** POPULARITY: the item's decayed count as of {@link #timestampMs}. */
    public double itemPopularity;

    public JobEvent() {}

    /** Whether the record carried a profile. */
    public boolean hasProfile() {
        return gender != null;
    }

    /** Copies a parsed profile (null: none) into the event. */
    public void setProfile(dev.duet.core.data.UserInfo profile) {
        if (profile != null) {
            gender = profile.gender();
            age = profile.age();
            occupation = profile.occupation();
            zip = profile.zip();
        }
    }

    public boolean hasEventTime() {
        return kind == EventKind.INTERACTION || kind == EventKind.REQUEST;
    }
}
