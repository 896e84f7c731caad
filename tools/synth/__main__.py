import sys

from tools.synth.cli import main

sys.exit(main())
