package dev.duet.core.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Release years from dates ("01-Jan-1995") or titles ("Toy Story (1995)"). */
public final class Years {

    private static final Pattern TITLE_YEAR = Pattern.compile("\\((\\d{4})\\)\\s*$");
    private static final Pattern DATE_YEAR = Pattern.compile("(\\d{4})\\s*$");

    private Years() {}

    /** The year at the end of a title in parentheses, or 0. */
    public static int fromTitle(String title) {
        Matcher m = TITLE_YEAR.matcher(title == null ? "" : title);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The year of a release date, else of the title, else 0. */
    public static int fromReleaseDate(String date, String title) {
        Matcher m = DATE_YEAR.matcher(date == null ? "" : date);
        return m.find() ? Integer.parseInt(m.group(1)) : fromTitle(title);
    }
}
