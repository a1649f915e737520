"""Models installed on request: the user's model folder and ``nlpthemes models install``."""

from nlpthemes.models._install import InstallError, LicenceNotAccepted, install_model
from nlpthemes.models._list import model_table
from nlpthemes.models._store import MODEL_DIR_ENV, installed_path, model_dir, require_model

__all__ = ["MODEL_DIR_ENV", "InstallError", "LicenceNotAccepted", "install_model", "installed_path", "model_dir",
           "model_table", "require_model"]
