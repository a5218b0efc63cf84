package dev.duet.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic, seeded data set with the structure real rating data has: users with latent
 * tastes and profiles that correlate with them, items with genres, years and readable titles,
 * Zipf-like popularity, ratings from a latent-factor model plus noise, and users and items that
 * arrive late (cold), so that every part of the pipeline can be exercised without a download.
 *
 * <p>Users pick what to rate the way people do: mostly popular items, tilted towards what they
 * expect to like (so ratings skew positive, as in MovieLens); the rating itself comes from user
 * bias, item quality and taste match.
 */
public final class SyntheticDatasetGenerator {

    static final List<String> GENRES =
            MovieLens100kReader.GENRES.subList(1, MovieLens100kReader.GENRES.size());
    private static final List<String> OCCUPATIONS =
            List.of(
                    "administrator", "artist", "doctor", "educator", "engineer", "entertainment",
                    "executive", "healthcare", "homemaker", "lawyer", "librarian", "marketing",
                    "none", "other", "programmer", "retired", "salesman", "scientist", "student",
                    "technician", "writer");
    private static final String[] AGES = {"1", "18", "25", "35", "45", "50", "56"};
    private static final String[] ADJECTIVES = {
        "Silent", "Golden", "Broken", "Hidden", "Last", "Crimson", "Endless", "Wild", "Lonely",
        "Electric", "Frozen", "Secret", "Distant", "Burning", "Little", "Midnight", "Brave",
        "Forgotten", "Velvet", "Iron", "Paper", "Falling", "Wandering", "Northern"
    };
    private static final String[] NOUNS = {
        "Harbor", "Summer", "Kingdom", "River", "Promise", "Garden", "Machine", "Stranger",
        "Horizon", "Letter", "Empire", "Island", "Detective", "Storm", "Orchestra", "Voyage",
        "Mirror", "Frontier", "Castle", "Heist", "Carnival", "Signal", "Lighthouse", "Station"
    };
    private static final int LATENT = 8;
    private static final long DAY_MS = 86_400_000L;

    private final SyntheticConfig config;

    public SyntheticDatasetGenerator(SyntheticConfig config) {
        this.config = config;
    }

    /** Generates the data set; the same configuration always gives the same data. */
    public Dataset generate() {
        Random random = new Random(config.seed());
        double[][] genreTaste = new double[GENRES.size()][];
        for (int g = 0; g < genreTaste.length; g++) {
            genreTaste[g] = gaussian(random, LATENT, 1.0);
        }
        long start = config.startTimeMs();
        long span = config.days() * DAY_MS;

        // Items: genres, a latent vector near their genres, quality, popularity and arrival.
        int itemCount = config.items();
        List<ItemInfo> items = new ArrayList<>(itemCount);
        double[][] itemVectors = new double[itemCount][];
        double[] itemQuality = new double[itemCount];
        double[] itemArrival = new double[itemCount];
        Set<String> titles = new HashSet<>();
        int[] popularityRank = permutation(random, itemCount);
        for (int i = 0; i < itemCount; i++) {
            int genreCount = 1 + random.nextInt(3);
            List<String> genres = new ArrayList<>();
            double[] vector = new double[LATENT];
            for (int k = 0; k < genreCount; k++) {
                int g = random.nextInt(GENRES.size());
                if (!genres.contains(GENRES.get(g))) {
                    genres.add(GENRES.get(g));
                    add(vector, genreTaste[g], 1.0 / genreCount);
                }
            }
            add(vector, gaussian(random, LATENT, 0.5), 1.0);
            itemVectors[i] = vector;
            itemQuality[i] = random.nextGaussian() * 0.45 - 0.15 * Math.log1p(popularityRank[i]) / 8;
            boolean cold = random.nextDouble() < config.coldItemShare();
            itemArrival[i] = cold ? 0.6 + 0.4 * random.nextDouble() : 0.0;
            int year = 1940 + (int) Math.round(80 * Math.pow(random.nextDouble(), 0.5));
            if (cold) {
                year = Math.max(year, 2015);
            }
            String title = uniqueTitle(random, titles, year);
            items.add(new ItemInfo(Integer.toString(i + 1), title, year, genres));
        }
        ItemSampler sampler = new ItemSampler(popularityRank, itemArrival, config.zipfExponent());

        // Users: profile, taste correlated with the profile, bias, arrival and activity.
        int userCount = config.users();
        Map<String, UserInfo> users = new HashMap<>();
        double[][] userVectors = new double[userCount][];
        double[] userBias = new double[userCount];
        double[] userArrival = new double[userCount];
        double[] activity = new double[userCount];
        double[][] profileTaste = new double[OCCUPATIONS.size() + AGES.length + 2][];
        for (int p = 0; p < profileTaste.length; p++) {
            profileTaste[p] = gaussian(random, LATENT, 0.6);
        }
        double activitySum = 0;
        for (int u = 0; u < userCount; u++) {
            String gender = random.nextDouble() < 0.7 ? "M" : "F";
            int age = (int) Math.min(AGES.length - 1, Math.abs(random.nextGaussian() * 2.0) + 1);
            int occupation = random.nextInt(OCCUPATIONS.size());
            String zip = String.format("%05d", random.nextInt(100_000));
            String id = Integer.toString(u + 1);
            users.put(id, new UserInfo(id, gender, AGES[age], OCCUPATIONS.get(occupation), zip));
            double[] vector = gaussian(random, LATENT, 0.7);
            add(vector, genreTaste[random.nextInt(GENRES.size())], 0.8);
            add(vector, profileTaste[occupation], 1.0);
            add(vector, profileTaste[OCCUPATIONS.size() + age], 1.0);
            add(vector, profileTaste[OCCUPATIONS.size() + AGES.length + (gender.equals("M") ? 0 : 1)], 1.0);
            userVectors[u] = vector;
            userBias[u] = random.nextGaussian() * 0.4;
            userArrival[u] =
                    random.nextDouble() < config.coldUserShare()
                            ? 0.7 + 0.3 * random.nextDouble()
                            : 0.7 * random.nextDouble();
            activity[u] = Math.exp(random.nextGaussian() * 0.9);
            // Late users have less time to rate: scale their activity by what remains.
            activity[u] *= 1.0 - userArrival[u] * 0.6;
            activitySum += activity[u];
        }

        // Ratings: each user rates their share of the total, after they arrive.
        List<Interaction> interactions = new ArrayList<>(config.ratings() + userCount);
        int[] counts = new int[userCount];
        int assigned = 0;
        for (int u = 0; u < userCount; u++) {
            counts[u] = Math.max(3, (int) Math.round(config.ratings() * activity[u] / activitySum));
            counts[u] = Math.min(counts[u], (int) (itemCount * 0.6));
            assigned += counts[u];
        }
        int[] order = permutation(random, userCount);
        for (int k = 0; assigned != config.ratings() && k < userCount * 4; k++) {
            int u = order[k % userCount];
            if (assigned < config.ratings() && counts[u] < itemCount * 0.6) {
                counts[u]++;
                assigned++;
            } else if (assigned > config.ratings() && counts[u] > 3) {
                counts[u]--;
                assigned--;
            }
        }
        double[] candidateScores = new double[config.candidatesPerPick()];
        int[] candidates = new int[config.candidatesPerPick()];
        for (int u = 0; u < userCount; u++) {
            String userId = Integer.toString(u + 1);
            double begin = userArrival[u];
            double[] times = new double[counts[u]];
            for (int r = 0; r < times.length; r++) {
                // Activity comes in bursts: most ratings soon after arrival, a tail later.
                times[r] = begin + (1 - begin) * Math.pow(random.nextDouble(), 2.2);
            }
            Arrays.sort(times);
            Set<Integer> seen = new HashSet<>();
            for (double time : times) {
                int picked = -1;
                double best = Double.NEGATIVE_INFINITY;
                int found = 0;
                for (int c = 0; c < candidates.length * 3 && found < candidates.length; c++) {
                    int item = sampler.sample(random, time);
                    if (item < 0 || seen.contains(item)) {
                        continue;
                    }
                    candidates[found] = item;
                    candidateScores[found] =
                            config.selectionStrength() * dot(userVectors[u], itemVectors[item]) / LATENT
                                    + itemQuality[item]
                                    + random.nextGaussian() * 0.8;
                    found++;
                }
                for (int c = 0; c < found; c++) {
                    if (candidateScores[c] > best) {
                        best = candidateScores[c];
                        picked = candidates[c];
                    }
                }
                if (picked < 0) {
                    continue;
                }
                seen.add(picked);
                double affinity = dot(userVectors[u], itemVectors[picked]) / Math.sqrt(LATENT);
                double latent = 3.55 + userBias[u] + itemQuality[picked] + 0.55 * affinity;
                double noisy = latent + random.nextGaussian() * config.ratingNoise();
                int rating = (int) Math.max(1, Math.min(5, Math.round(noisy)));
                long timestamp = start + (long) (time * span);
                interactions.add(new Interaction(userId, items.get(picked).itemId(), rating, timestamp));
            }
        }
        // Sources list ratings in time order per source; interleave users by time here so that
        // the stream replay looks like a real log. The sort is stable: ties keep user order.
        interactions.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
        Map<String, ItemInfo> catalog = new HashMap<>();
        for (ItemInfo item : items) {
            catalog.put(item.itemId(), item);
        }
        return new Dataset(
                "synthetic(seed=" + config.seed() + ",users=" + userCount + ",items=" + itemCount
                        + ",ratings=" + interactions.size() + ")",
                interactions,
                List.of(),
                catalog,
                users,
                false);
    }

    private static String uniqueTitle(Random random, Set<String> titles, int year) {
        for (int attempt = 0; ; attempt++) {
            String base =
                    (random.nextBoolean() ? "The " : "")
                            + ADJECTIVES[random.nextInt(ADJECTIVES.length)]
                            + " "
                            + NOUNS[random.nextInt(NOUNS.length)];
            if (attempt > 20) {
                base = base + " " + (attempt - 18);
            }
            String title = base + " (" + year + ")";
            if (titles.add(title)) {
                return title;
            }
        }
    }

    private static double[] gaussian(Random random, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian() * scale;
        }
        return v;
    }

    private static void add(double[] target, double[] source, double weight) {
        for (int i = 0; i < target.length; i++) {
            target[i] += weight * source[i];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static int[] permutation(Random random, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Samples items by Zipf-like popularity, among those that have arrived by a given time. */
    private static final class ItemSampler {
        private final double[] cumulative;
        private final int[] itemsByRank;
        private final double[] arrivalByRank;

        ItemSampler(int[] popularityRank, double[] arrival, double exponent) {
            int n = popularityRank.length;
            itemsByRank = new int[n];
            arrivalByRank = new double[n];
            for (int item = 0; item < n; item++) {
                itemsByRank[popularityRank[item]] = item;
            }
            cumulative = new double[n];
            double sum = 0;
            for (int rank = 0; rank < n; rank++) {
                arrivalByRank[rank] = arrival[itemsByRank[rank]];
                sum += 1.0 / Math.pow(rank + 1, exponent);
                cumulative[rank] = sum;
            }
        }

        /** An item that has arrived by {@code time}, or -1 after a few unlucky draws. */
        int sample(Random random, double time) {
            for (int attempt = 0; attempt < 8; attempt++) {
                double x = random.nextDouble() * cumulative[cumulative.length - 1];
                int rank = Arrays.binarySearch(cumulative, x);
                rank = rank >= 0 ? rank : -rank - 1;
                rank = Math.min(rank, cumulative.length - 1);
                if (arrivalByRank[rank] <= time) {
                    return itemsByRank[rank];
                }
            }
            return -1;
        }
    }
}
