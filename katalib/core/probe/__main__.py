"""``python -m katalib.core.probe <job.json>``: a spawned probe child (``child.main``).

The work runs in ``katalib.core.probe.child``, not in this ``__main__``: ``katalib.core.apps``
asks that module whether this process is a probe child.
"""

import sys

from katalib.core.probe import child

child.main(sys.argv[1])
