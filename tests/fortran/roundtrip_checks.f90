! roundtrip_checks: writes a small HDF5 file through HDF5's Fortran API, closes it, opens it
! again and checks every value. The file access property list is the caller's, so the same
! checks run on a native file (H5P_DEFAULT_F) and through restvol (HDF5_VOL_CONNECTOR, or a
! list set with h5pset_fapl_rest_vol_f).
!
! The file:
!   /                 attributes title (string), version (integer)
!   /grid             group; attribute origin (3 x real(8))
!   /grid/ints        integer(6,8), chunked 3x4, deflate 6; attribute units (string)
!   /grid/reals       real(8)(6,8), chunked 2x8, shuffle + deflate 4; attribute scale (real(8))
!   /series           real(8)(:), unlimited, chunked 4; written 10 values, extended to 15
!   /lt_ints          integer(4,3), made with h5ltmake_dataset_f (HDF5 high-level library)
module roundtrip_checks
  use, intrinsic :: iso_c_binding
  use hdf5
  use h5lt
  implicit none
  private
  public :: write_file, check_file

  integer, parameter :: nx = 6, ny = 8

contains

  !> Stops the program with status 1 unless hdferr is non-negative.
  subroutine ok(hdferr, what)
    integer, intent(in) :: hdferr
    character(len=*), intent(in) :: what
    if (hdferr < 0) then
      write (*, '(3a,i0)') 'FAILED: ', what, ': hdferr ', hdferr
      error stop 1
    end if
  end subroutine ok

  !> Stops the program with status 1 unless cond holds; prints an ok line otherwise.
  subroutine expect(cond, what)
    logical, intent(in) :: cond
    character(len=*), intent(in) :: what
    if (.not. cond) then
      write (*, '(2a)') 'FAILED: ', what
      error stop 1
    end if
    write (*, '(2a)') 'ok: ', what
  end subroutine expect

  pure integer function int_value(i, j)
    integer, intent(in) :: i, j
    int_value = 100 * i + j
  end function int_value

  pure real(8) function real_value(i, j)
    integer, intent(in) :: i, j
    real_value = real(i, 8) + real(j, 8) / 8.0d0 - 0.25d0
  end function real_value

  !> Creates filename with fapl and writes everything listed above.
  subroutine write_file(filename, fapl)
    character(len=*), intent(in) :: filename
    integer(hid_t), intent(in) :: fapl
    integer(hid_t) :: file, grp, space, dcpl, dset, atype, aspace, attr
    integer(hsize_t) :: dims(2), chunk(2), adims(1), sdims(1), smax(1), schunk(1)
    integer(hsize_t) :: offset(1), count(1), ltdims(2)
    integer :: ints(nx, ny), i, j, hdferr, version
    real(8) :: reals(nx, ny), series(15), origin(3), scale
    integer, target :: lt(4, 3)
    character(len=*), parameter :: title = 'written by HDF5 Fortran'
    integer(hid_t) :: fspace, mspace

    do j = 1, ny
      do i = 1, nx
        ints(i, j) = int_value(i, j)
        reals(i, j) = real_value(i, j)
      end do
    end do
    series = [(real(i, 8) * 1.5d0, i = 1, 15)]
    origin = [1.0d0, -2.5d0, 1.0d10]
    scale = 0.125d0
    lt = reshape([(i * 7, i = 1, 12)], [4, 3])

    call h5fcreate_f(filename, H5F_ACC_TRUNC_F, file, hdferr, access_prp=fapl)
    call ok(hdferr, 'h5fcreate_f')

    ! Root attributes: a string and an integer.
    call h5tcopy_f(H5T_FORTRAN_S1, atype, hdferr)
    call h5tset_size_f(atype, int(len(title), size_t), hdferr)
    call h5screate_f(H5S_SCALAR_F, aspace, hdferr)
    adims = [1_hsize_t]
    call h5acreate_f(file, 'title', atype, aspace, attr, hdferr)
    call ok(hdferr, 'h5acreate_f title')
    call h5awrite_f(attr, atype, title, adims, hdferr)
    call ok(hdferr, 'h5awrite_f title')
    call h5aclose_f(attr, hdferr)
    call h5tclose_f(atype, hdferr)
    version = 42
    call h5acreate_f(file, 'version', H5T_NATIVE_INTEGER, aspace, attr, hdferr)
    call h5awrite_f(attr, H5T_NATIVE_INTEGER, version, adims, hdferr)
    call ok(hdferr, 'h5awrite_f version')
    call h5aclose_f(attr, hdferr)
    call h5sclose_f(aspace, hdferr)

    ! /grid with a real(8) array attribute.
    call h5gcreate_f(file, 'grid', grp, hdferr)
    call ok(hdferr, 'h5gcreate_f grid')
    adims = [3_hsize_t]
    call h5screate_simple_f(1, adims, aspace, hdferr)
    call h5acreate_f(grp, 'origin', H5T_NATIVE_DOUBLE, aspace, attr, hdferr)
    call h5awrite_f(attr, H5T_NATIVE_DOUBLE, origin, adims, hdferr)
    call ok(hdferr, 'h5awrite_f origin')
    call h5aclose_f(attr, hdferr)
    call h5sclose_f(aspace, hdferr)

    ! /grid/ints: chunked, deflate.
    dims = [int(nx, hsize_t), int(ny, hsize_t)]
    call h5screate_simple_f(2, dims, space, hdferr)
    call h5pcreate_f(H5P_DATASET_CREATE_F, dcpl, hdferr)
    chunk = [3_hsize_t, 4_hsize_t]
    call h5pset_chunk_f(dcpl, 2, chunk, hdferr)
    call h5pset_deflate_f(dcpl, 6, hdferr)
    call ok(hdferr, 'h5pset_deflate_f')
    call h5dcreate_f(grp, 'ints', H5T_NATIVE_INTEGER, space, dset, hdferr, dcpl)
    call ok(hdferr, 'h5dcreate_f ints')
    call h5dwrite_f(dset, H5T_NATIVE_INTEGER, ints, dims, hdferr)
    call ok(hdferr, 'h5dwrite_f ints')
    call h5tcopy_f(H5T_FORTRAN_S1, atype, hdferr)
    call h5tset_size_f(atype, 6_size_t, hdferr)
    call h5screate_f(H5S_SCALAR_F, aspace, hdferr)
    adims = [1_hsize_t]
    call h5acreate_f(dset, 'units', atype, aspace, attr, hdferr)
    call h5awrite_f(attr, atype, 'metres', adims, hdferr)
    call ok(hdferr, 'h5awrite_f units')
    call h5aclose_f(attr, hdferr)
    call h5tclose_f(atype, hdferr)
    call h5dclose_f(dset, hdferr)
    call h5pclose_f(dcpl, hdferr)

    ! /grid/reals: chunked, shuffle + deflate; a scalar real(8) attribute.
    call h5pcreate_f(H5P_DATASET_CREATE_F, dcpl, hdferr)
    chunk = [2_hsize_t, 8_hsize_t]
    call h5pset_chunk_f(dcpl, 2, chunk, hdferr)
    call h5pset_shuffle_f(dcpl, hdferr)
    call h5pset_deflate_f(dcpl, 4, hdferr)
    call h5dcreate_f(grp, 'reals', H5T_NATIVE_DOUBLE, space, dset, hdferr, dcpl)
    call ok(hdferr, 'h5dcreate_f reals')
    call h5dwrite_f(dset, H5T_NATIVE_DOUBLE, reals, dims, hdferr)
    call ok(hdferr, 'h5dwrite_f reals')
    call h5acreate_f(dset, 'scale', H5T_NATIVE_DOUBLE, aspace, attr, hdferr)
    call h5awrite_f(attr, H5T_NATIVE_DOUBLE, scale, adims, hdferr)
    call ok(hdferr, 'h5awrite_f scale')
    call h5aclose_f(attr, hdferr)
    call h5sclose_f(aspace, hdferr)
    call h5dclose_f(dset, hdferr)
    call h5pclose_f(dcpl, hdferr)
    call h5sclose_f(space, hdferr)
    call h5gclose_f(grp, hdferr)

    ! /series: unlimited; write 10 values, extend to 15, write the last 5 by hyperslab.
    sdims = [10_hsize_t]
    smax = [H5S_UNLIMITED_F]
    call h5screate_simple_f(1, sdims, space, hdferr, smax)
    call h5pcreate_f(H5P_DATASET_CREATE_F, dcpl, hdferr)
    schunk = [4_hsize_t]
    call h5pset_chunk_f(dcpl, 1, schunk, hdferr)
    call h5dcreate_f(file, 'series', H5T_NATIVE_DOUBLE, space, dset, hdferr, dcpl)
    call ok(hdferr, 'h5dcreate_f series')
    call h5dwrite_f(dset, H5T_NATIVE_DOUBLE, series(1:10), sdims, hdferr)
    call ok(hdferr, 'h5dwrite_f series(1:10)')
    sdims = [15_hsize_t]
    call h5dset_extent_f(dset, sdims, hdferr)
    call ok(hdferr, 'h5dset_extent_f series')
    call h5dget_space_f(dset, fspace, hdferr)
    offset = [10_hsize_t]
    count = [5_hsize_t]
    call h5sselect_hyperslab_f(fspace, H5S_SELECT_SET_F, offset, count, hdferr)
    call h5screate_simple_f(1, count, mspace, hdferr)
    call h5dwrite_f(dset, H5T_NATIVE_DOUBLE, series(11:15), count, hdferr, &
                    mem_space_id=mspace, file_space_id=fspace)
    call ok(hdferr, 'h5dwrite_f series(11:15)')
    call h5sclose_f(mspace, hdferr)
    call h5sclose_f(fspace, hdferr)
    call h5dclose_f(dset, hdferr)
    call h5pclose_f(dcpl, hdferr)
    call h5sclose_f(space, hdferr)

    ! /lt_ints through the high-level library.
    ltdims = [4_hsize_t, 3_hsize_t]
    call h5ltmake_dataset_f(file, 'lt_ints', 2, ltdims, H5T_NATIVE_INTEGER, c_loc(lt(1, 1)), &
                            hdferr)
    call ok(hdferr, 'h5ltmake_dataset_f lt_ints')
    call h5ltset_attribute_string_f(file, 'lt_ints', 'comment', 'high-level', hdferr)
    call ok(hdferr, 'h5ltset_attribute_string_f')

    call h5fclose_f(file, hdferr)
    call ok(hdferr, 'h5fclose_f')
    write (*, '(a)') 'ok: written'
  end subroutine write_file

  !> Opens filename read-only with fapl and checks every value write_file wrote.
  subroutine check_file(filename, fapl)
    character(len=*), intent(in) :: filename
    integer(hid_t), intent(in) :: fapl
    integer(hid_t) :: file, dset, attr, atype, fspace, mspace, dcpl
    integer(hsize_t) :: dims(2), maxdims(2), adims(1), sdims(1), offset(2), count(2)
    integer(hsize_t) :: stride(2), ltdims(2), sdims2(1), smax(1)
    integer :: ints(nx, ny), part(3, 2), i, j, hdferr, version, rank, nfilters
    real(8) :: reals(nx, ny), series(15), origin(3), scale
    integer, target :: lt(4, 3)
    character(len=23) :: title
    character(len=6) :: units
    character(len=10) :: comment
    logical :: exists, same
    integer :: layout

    call h5fopen_f(filename, H5F_ACC_RDONLY_F, file, hdferr, access_prp=fapl)
    call ok(hdferr, 'h5fopen_f')

    call h5lexists_f(file, 'grid', exists, hdferr)
    call expect(exists .and. hdferr >= 0, 'h5lexists_f grid')
    call h5lexists_f(file, 'missing', exists, hdferr)
    call expect(.not. exists .and. hdferr >= 0, 'h5lexists_f missing is false')

    ! Root attributes.
    adims = [1_hsize_t]
    call h5aopen_f(file, 'title', attr, hdferr)
    call ok(hdferr, 'h5aopen_f title')
    call h5aget_type_f(attr, atype, hdferr)
    call h5aread_f(attr, atype, title, adims, hdferr)
    call ok(hdferr, 'h5aread_f title')
    call expect(title == 'written by HDF5 Fortran', 'title attribute')
    call h5tclose_f(atype, hdferr)
    call h5aclose_f(attr, hdferr)
    call h5aopen_f(file, 'version', attr, hdferr)
    call h5aread_f(attr, H5T_NATIVE_INTEGER, version, adims, hdferr)
    call expect(hdferr >= 0 .and. version == 42, 'version attribute')
    call h5aclose_f(attr, hdferr)

    ! /grid/origin.
    adims = [3_hsize_t]
    call h5aopen_by_name_f(file, 'grid', 'origin', attr, hdferr)
    call ok(hdferr, 'h5aopen_by_name_f grid origin')
    call h5aread_f(attr, H5T_NATIVE_DOUBLE, origin, adims, hdferr)
    call expect(hdferr >= 0 .and. all(origin == [1.0d0, -2.5d0, 1.0d10]), 'origin attribute')
    call h5aclose_f(attr, hdferr)

    ! /grid/ints: all of it, its creation properties, then a strided hyperslab.
    dims = [int(nx, hsize_t), int(ny, hsize_t)]
    call h5dopen_f(file, 'grid/ints', dset, hdferr)
    call ok(hdferr, 'h5dopen_f grid/ints')
    call h5dget_space_f(dset, fspace, hdferr)
    call h5sget_simple_extent_ndims_f(fspace, rank, hdferr)
    call h5sget_simple_extent_dims_f(fspace, dims, maxdims, hdferr)
    call expect(rank == 2 .and. dims(1) == nx .and. dims(2) == ny, 'ints extent')
    call h5dget_create_plist_f(dset, dcpl, hdferr)
    call h5pget_layout_f(dcpl, layout, hdferr)
    call h5pget_nfilters_f(dcpl, nfilters, hdferr)
    call expect(layout == H5D_CHUNKED_F .and. nfilters == 1, 'ints is chunked with one filter')
    call h5pclose_f(dcpl, hdferr)
    ints = 0
    call h5dread_f(dset, H5T_NATIVE_INTEGER, ints, dims, hdferr)
    call ok(hdferr, 'h5dread_f ints')
    same = .true.
    do j = 1, ny
      do i = 1, nx
        same = same .and. ints(i, j) == int_value(i, j)
      end do
    end do
    call expect(same, 'ints values')
    ! Rows 2,4,6 (Fortran 2:6:2) of columns 3..4: offset (1,2), stride (2,1), count (3,2).
    offset = [1_hsize_t, 2_hsize_t]
    count = [3_hsize_t, 2_hsize_t]
    stride = [2_hsize_t, 1_hsize_t]
    call h5sselect_hyperslab_f(fspace, H5S_SELECT_SET_F, offset, count, hdferr, stride)
    call ok(hdferr, 'h5sselect_hyperslab_f')
    call h5screate_simple_f(2, count, mspace, hdferr)
    part = 0
    call h5dread_f(dset, H5T_NATIVE_INTEGER, part, count, hdferr, &
                   mem_space_id=mspace, file_space_id=fspace)
    call ok(hdferr, 'h5dread_f hyperslab')
    call expect(all(part == ints(2:6:2, 3:4)), 'hyperslab values')
    call h5sclose_f(mspace, hdferr)
    call h5sclose_f(fspace, hdferr)
    call h5aopen_f(dset, 'units', attr, hdferr)
    call h5aget_type_f(attr, atype, hdferr)
    adims = [1_hsize_t]
    call h5aread_f(attr, atype, units, adims, hdferr)
    call expect(hdferr >= 0 .and. units == 'metres', 'units attribute')
    call h5tclose_f(atype, hdferr)
    call h5aclose_f(attr, hdferr)
    call h5dclose_f(dset, hdferr)

    ! /grid/reals.
    call h5dopen_f(file, 'grid/reals', dset, hdferr)
    call ok(hdferr, 'h5dopen_f grid/reals')
    reals = 0
    call h5dread_f(dset, H5T_NATIVE_DOUBLE, reals, dims, hdferr)
    call ok(hdferr, 'h5dread_f reals')
    same = .true.
    do j = 1, ny
      do i = 1, nx
        same = same .and. reals(i, j) == real_value(i, j)
      end do
    end do
    call expect(same, 'reals values')
    call h5aopen_f(dset, 'scale', attr, hdferr)
    call h5aread_f(attr, H5T_NATIVE_DOUBLE, scale, adims, hdferr)
    call expect(hdferr >= 0 .and. scale == 0.125d0, 'scale attribute')
    call h5aclose_f(attr, hdferr)
    call h5dclose_f(dset, hdferr)

    ! /series: extended to 15.
    call h5dopen_f(file, 'series', dset, hdferr)
    call h5dget_space_f(dset, fspace, hdferr)
    call h5sget_simple_extent_dims_f(fspace, sdims2, smax, hdferr)
    call expect(sdims2(1) == 15 .and. smax(1) == H5S_UNLIMITED_F, 'series extent 15, unlimited')
    call h5sclose_f(fspace, hdferr)
    sdims = [15_hsize_t]
    series = 0
    call h5dread_f(dset, H5T_NATIVE_DOUBLE, series, sdims, hdferr)
    call expect(hdferr >= 0 .and. all(series == [(real(i, 8) * 1.5d0, i = 1, 15)]), &
                'series values')
    call h5dclose_f(dset, hdferr)

    ! /lt_ints through the high-level library.
    ltdims = [4_hsize_t, 3_hsize_t]
    lt = 0
    call h5ltread_dataset_f(file, 'lt_ints', H5T_NATIVE_INTEGER, c_loc(lt(1, 1)), hdferr)
    call ok(hdferr, 'h5ltread_dataset_f lt_ints')
    call expect(all(lt == reshape([(i * 7, i = 1, 12)], [4, 3])), 'lt_ints values')
    call h5ltget_attribute_string_f(file, 'lt_ints', 'comment', comment, hdferr)
    call expect(hdferr >= 0 .and. comment == 'high-level', 'lt_ints comment attribute')

    call h5fclose_f(file, hdferr)
    call ok(hdferr, 'h5fclose_f after reading')
  end subroutine check_file

end module roundtrip_checks
