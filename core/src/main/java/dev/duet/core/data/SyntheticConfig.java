package dev.duet.core.data;

/**
 * Settings of the synthetic data set; build with {@link #builder()}.
 *
 * @param seed random seed: the same settings always give the same data
 * @param users number of users
 * @param items number of items
 * @param ratings number of ratings (approximately: a user never rates an item twice)
 * @param days length of the timeline
 * @param startTimeMs the first possible timestamp, epoch milliseconds
 * @param coldUserShare share of users who arrive in the last 30 % of the timeline
 * @param coldItemShare share of items released in the last 40 % of the timeline
 * @param zipfExponent popularity skew (1 is classic Zipf)
 * @param ratingNoise standard deviation of the noise added to latent ratings
 * @param selectionStrength how strongly users pick items that match their taste
 * @param candidatesPerPick popular items a user looks at before picking one
 */
public record SyntheticConfig(
        long seed,
        int users,
        int items,
        int ratings,
        int days,
        long startTimeMs,
        double coldUserShare,
        double coldItemShare,
        double zipfExponent,
        double ratingNoise,
        double selectionStrength,
        int candidatesPerPick) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults of the embedded demo: a MovieLens-100K-sized data set. */
    public static final class Builder {
        private long seed = 42;
        private int users = 1000;
        private int items = 1700;
        private int ratings = 100_000;
        private int days = 210;
        private long startTimeMs = 1_700_000_000_000L;
        private double coldUserShare = 0.15;
        private double coldItemShare = 0.1;
        private double zipfExponent = 0.9;
        private double ratingNoise = 0.75;
        private double selectionStrength = 1.0;
        private int candidatesPerPick = 12;

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder users(int v) {
            users = v;
            return this;
        }

        public Builder items(int v) {
            items = v;
            return this;
        }

        public Builder ratings(int v) {
            ratings = v;
            return this;
        }

        public Builder days(int v) {
            days = v;
            return this;
        }

        public Builder startTimeMs(long v) {
            startTimeMs = v;
            return this;
        }

        public Builder coldUserShare(double v) {
            coldUserShare = v;
            return this;
        }

        public Builder coldItemShare(double v) {
            coldItemShare = v;
            return this;
        }

        public Builder zipfExponent(double v) {
            zipfExponent = v;
            return this;
        }

        public Builder ratingNoise(double v) {
            ratingNoise = v;
            return this;
        }

        public Builder selectionStrength(double v) {
            selectionStrength = v;
            return this;
        }

        public Builder candidatesPerPick(int v) {
            candidatesPerPick = v;
            return this;
        }

        /** Validates and builds; fails naming the setting that is out of range. */
        public SyntheticConfig build() {
            require(users >= 10, "users must be at least 10");
            require(items >= 10, "items must be at least 10");
            require(ratings >= users * 3, "ratings must be at least 3 per user");
            require((long) ratings <= (long) users * items / 2, "ratings must be at most half of users x items");
            require(days >= 1, "days must be positive");
            require(coldUserShare >= 0 && coldUserShare < 1, "coldUserShare must be in [0, 1)");
            require(coldItemShare >= 0 && coldItemShare < 1, "coldItemShare must be in [0, 1)");
            require(zipfExponent > 0 && zipfExponent < 3, "zipfExponent must be in (0, 3)");
            require(ratingNoise >= 0, "ratingNoise must not be negative");
            require(candidatesPerPick >= 1, "candidatesPerPick must be positive");
            return new SyntheticConfig(
                    seed, users, items, ratings, days, startTimeMs, coldUserShare, coldItemShare,
                    zipfExponent, ratingNoise, selectionStrength, candidatesPerPick);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException("Synthetic data: " + message);
            }
        }
    }
}
