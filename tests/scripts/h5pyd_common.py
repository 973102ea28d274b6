"""Helpers shared by the h5pyd test scripts (imported from the scripts' own directory)."""
import h5pyd


def folders(folder):
    """Opens or creates every folder on the way to `folder` (`/home/user/`)."""
    path = "/"
    for part in folder.strip("/").split("/"):
        path += part + "/"
        try:
            h5pyd.Folder(path, mode="r")
        except IOError:
            h5pyd.Folder(path, mode="x")
