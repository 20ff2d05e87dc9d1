#include "cli.hpp"

int main(int argc, char** argv) {
    return gridsync::edge::cli::run(argc, argv);
}
