package dev.duet.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "download", mixinStandardHelpOptions = true, description = "Download an official MovieLens archive (needs a network).")
final class DownloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "ml-100k or ml-1m")
    String name;

    @Option(names = "--dir", description = "Target folder (default: ${DEFAULT-VALUE}).", defaultValue = "${sys:user.home}/.duet/data")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path folder = MovieLensDownloader.download(name, dir, System.out);
        System.out.println("Train on it with: ./duet train --data " + folder + " --out runs/" + name);
        return 0;
    }
}
