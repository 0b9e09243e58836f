// Temporary entry point; the CLI is being written (engine/cli).
int main() { return 0; }
