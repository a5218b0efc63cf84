package dev.duet.core.data;

/**
 * A user's profile as the data set gives it; absent fields are empty strings.
 *
 * @param userId the user's id
 * @param gender e.g. "M", "F"
 * @param age an age or age bucket as text
 * @param occupation occupation name or code
 * @param zip postal code
 */
public record UserInfo(String userId, String gender, String age, String occupation, String zip) {

    public UserInfo {
        gender = nullToEmpty(gender);
        age = nullToEmpty(age);
        occupation = nullToEmpty(occupation);
        zip = nullToEmpty(zip);
    }

    /** A user without a profile (e.g. one first seen in the stream). */
    public static UserInfo anonymous(String userId) {
        return new UserInfo(userId, "", "", "", "");
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
