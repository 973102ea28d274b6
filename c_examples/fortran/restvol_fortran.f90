! restvol_fortran [DOMAIN]: an HDF5 Fortran program that selects restvol in code through the
! restvol module (include/restvol.f90), writes a chunked, deflated real(8) 2-D dataset with a
! string attribute, reads them back and prints the dataset's URI. Build it from an install:
!   cmake -S c_examples/fortran -B build -DCMAKE_PREFIX_PATH=PREFIX && cmake --build build
! Run it in direct access (a local store, no server):
!   ROOT_DIR=$HOME/restvol-data BUCKET_NAME=mybucket build/restvol_fortran /demo/fortran.h5
! or against a server with HSDS_ENDPOINT, HSDS_USERNAME and HSDS_PASSWORD set.
! Exit status 0 and "all checks passed" when the values read back match.
program restvol_fortran
  use hdf5
  use restvol
  implicit none
  integer, parameter :: nx = 5, ny = 4
  character(len=1024) :: domain
  character(len=64) :: uri
  character(len=6) :: units
  integer(hid_t) :: fapl, file, space, dcpl, dset, atype, aspace, attr
  integer(hsize_t) :: dims(2) = [nx, ny], chunk(2) = [5, 2], adims(1) = [1]
  real(8) :: values(nx, ny), back(nx, ny)
  integer :: i, j, hdferr

  domain = '/restvol-examples/fortran.h5'
  if (command_argument_count() >= 1) call get_command_argument(1, domain)
  values = reshape([((real(i, 8) + real(j, 8) / 10.0d0, i = 1, nx), j = 1, ny)], [nx, ny])

  call h5open_f(hdferr)
  call h5rest_init_f(hdferr)
  call h5pcreate_f(H5P_FILE_ACCESS_F, fapl, hdferr)
  call h5pset_fapl_rest_vol_f(fapl, hdferr)
  if (hdferr < 0) error stop 'h5pset_fapl_rest_vol_f failed'

  call h5fcreate_f(trim(domain), H5F_ACC_TRUNC_F, file, hdferr, access_prp=fapl)
  if (hdferr < 0) error stop 'h5fcreate_f failed'
  call h5screate_simple_f(2, dims, space, hdferr)
  call h5pcreate_f(H5P_DATASET_CREATE_F, dcpl, hdferr)
  call h5pset_chunk_f(dcpl, 2, chunk, hdferr)
  call h5pset_deflate_f(dcpl, 6, hdferr)
  call h5dcreate_f(file, 'values', H5T_NATIVE_DOUBLE, space, dset, hdferr, dcpl)
  call h5dwrite_f(dset, H5T_NATIVE_DOUBLE, values, dims, hdferr)
  if (hdferr < 0) error stop 'h5dwrite_f failed'
  call h5tcopy_f(H5T_FORTRAN_S1, atype, hdferr)
  call h5tset_size_f(atype, 6_size_t, hdferr)
  call h5screate_f(H5S_SCALAR_F, aspace, hdferr)
  call h5acreate_f(dset, 'units', atype, aspace, attr, hdferr)
  call h5awrite_f(attr, atype, 'kelvin', adims, hdferr)
  call h5aclose_f(attr, hdferr)
  call h5rest_get_object_uri_f(dset, uri, hdferr)
  write (*, '(2a)') 'dataset URI: ', trim(uri)
  call h5dclose_f(dset, hdferr)
  call h5pclose_f(dcpl, hdferr)
  call h5sclose_f(space, hdferr)
  call h5fclose_f(file, hdferr)

  call h5fopen_f(trim(domain), H5F_ACC_RDONLY_F, file, hdferr, access_prp=fapl)
  call h5dopen_f(file, 'values', dset, hdferr)
  back = 0
  call h5dread_f(dset, H5T_NATIVE_DOUBLE, back, dims, hdferr)
  if (hdferr < 0 .or. any(back /= values)) error stop 'values differ'
  call h5aopen_f(dset, 'units', attr, hdferr)
  call h5aread_f(attr, atype, units, adims, hdferr)
  if (hdferr < 0 .or. units /= 'kelvin') error stop 'units differ'
  call h5aclose_f(attr, hdferr)
  call h5dclose_f(dset, hdferr)
  call h5fclose_f(file, hdferr)

  call h5tclose_f(atype, hdferr)
  call h5sclose_f(aspace, hdferr)
  call h5pclose_f(fapl, hdferr)
  call h5rest_term_f(hdferr)
  call h5close_f(hdferr)
  write (*, '(a)') 'all checks passed'
end program restvol_fortran
